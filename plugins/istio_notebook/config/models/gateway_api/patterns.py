"""Scalar helpers of the generated Gateway API models: CRD ``pattern`` checks (RE2) and int-or-string."""

from __future__ import annotations

from functools import cache

import re2
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from istio_notebook.config.models.kubernetes import IntOrString

__all__ = ["IntOrString", "Pattern"]


@cache
def _compiled(pattern: str):
    return re2.compile(pattern)


def Pattern(pattern: str) -> AfterValidator:  # noqa: N802 - reads like the annotated-types markers beside it
    """The API server's OpenAPI ``pattern``: an unanchored RE2 search (the CRD patterns anchor themselves)."""

    def check(value: str) -> str:
        if _compiled(pattern).search(value) is None:
            raise PydanticCustomError(
                "pattern", "invalid value {value}: does not match the pattern {pattern}", {"value": repr(value), "pattern": pattern}
            )
        return value

    return AfterValidator(check)
