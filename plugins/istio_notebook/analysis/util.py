"""Defensive accessors: analyzers read plain dicts that schema validation may have rejected."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


def as_dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def as_str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def string_map(value: Any) -> dict[str, str]:
    """A label map as Kubernetes reads it (keys and values are strings)."""
    if not isinstance(value, dict):
        return {}
    return {str(k): "" if v is None else str(v) for k, v in value.items()}


def enumerate_dicts(value: Any) -> Iterator[tuple[int, dict]]:
    """(index, item) for the mapping items of a list; other items are skipped (schema reports them)."""
    for index, item in enumerate(as_list(value)):
        if isinstance(item, dict):
            yield index, item


def selector_string(labels: dict[str, str]) -> str:
    """Kubernetes' ``labels.SelectorFromSet(...).String()``: sorted ``k=v`` joined by commas."""
    return ",".join(f"{k}={labels[k]}" for k in sorted(labels))


def go_list(items: list) -> str:
    """How Go's ``%v`` prints a slice: ``[a b c]`` (istioctl's templates use it)."""
    return "[" + " ".join(str(i) for i in items) + "]"
