"""Decode a resource into its typed model; every decoding error becomes one IST0106 at its field."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from istio_notebook.config.models.registry import adapter
from istio_notebook.config.resource import Resource
from istio_notebook.diagnostics import Diagnostic, report

# pydantic marks an error in a mapping's key (not its value) with this loc element.
_KEY_MARK = "[key]"

_TYPE_NAMES = {
    "string_type": "a string",
    "int_type": "an integer",
    "bool_type": "a boolean (true or false)",
    "float_type": "a number",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "list_type": "a list",
}


def field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    """``("spec", "http", 0, "route")`` → ``spec.http[0].route``, as istioctl names fields."""
    text = ""
    for step in loc:
        if isinstance(step, int):
            text += f"[{step}]"
        elif text and not str(step).replace("_", "").replace("-", "").isalnum():
            text += f"[{step}]"  # map keys such as app.kubernetes.io/name
        else:
            text += f".{step}" if text else str(step)
    return text


def describe(error: dict[str, Any]) -> str:
    """istioctl-like text for one pydantic error (``unknown field``, ``expected an integer, got '3'``)."""
    kind = error["type"]
    value = error.get("input")
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required field is missing"
    if kind in _TYPE_NAMES:
        return f"expected {_TYPE_NAMES[kind]}, got {_shown(value)}"
    if kind == "literal_error":
        return f"invalid value {_shown(value)}, expected one of {error['ctx']['expected']}"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return f"value {_shown(value)} is out of range for this field"
    if kind == "finite_number":
        return "value must be a finite number"
    if kind == "string_unicode":
        return "expected valid unicode text"
    return error["msg"]


def _shown(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def parse_model(resource: Resource) -> tuple[Any | None, list[Diagnostic]]:
    """The typed model of ``resource`` (or None) and one IST0106 per schema error.

    Kinds without a model give ``(None, [])``: they are not checked here.
    """
    model_adapter = adapter(resource.group, resource.kind)
    if model_adapter is None:
        return None, []
    try:
        return model_adapter.validate_python(resource.body), []
    except ValidationError as failure:
        return None, [_diagnostic(resource, error) for error in failure.errors(include_url=False)]


def error_path(error: dict[str, Any]) -> tuple[str | int, ...]:
    """The field path of one pydantic error, as the document spells it (a oneof names its second member)."""
    loc = tuple(step for step in error["loc"] if step != _KEY_MARK)
    return loc + (error["ctx"]["field"],) if error["type"] == "oneof" else loc


_describe = describe  # older private name, still imported by examples/fragments.py


def _diagnostic(resource: Resource, error: dict[str, Any]) -> Diagnostic:
    path = error_path(error)
    # A missing field has no line of its own: point at the key of the message that lacks it.
    position = resource.locate(*path[:-1]) if error["type"] == "missing" and len(path) > 1 else resource.locate(*path)
    detail = f"{field_path(path)}: {describe(error)}"
    return report("IST0106", position, origin=resource.origin, detail=detail)
