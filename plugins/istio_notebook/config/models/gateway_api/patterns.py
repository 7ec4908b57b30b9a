"""Scalar helpers of the generated Gateway API models: CRD ``pattern`` checks (RE2) and int-or-string."""

from __future__ import annotations

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from istio_notebook.config.models.kubernetes import IntOrString
from istio_notebook.config.regex import compile_regex

__all__ = ["IntOrString", "Pattern"]


def Pattern(pattern: str) -> AfterValidator:  # noqa: N802 - reads like the annotated-types markers beside it
    """The API server's OpenAPI ``pattern``: an unanchored RE2 search (the CRD patterns anchor themselves)."""

    def check(value: str) -> str:
        if not compile_regex(pattern).search(value):
            raise PydanticCustomError(
                "pattern", "invalid value {value}: does not match the pattern {pattern}", {"value": repr(value), "pattern": pattern}
            )
        return value

    return AfterValidator(check)
