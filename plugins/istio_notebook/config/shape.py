"""Defensive readers for plain-dict resources: wrong shapes read as empty, never raise."""

from __future__ import annotations

from typing import Any


def items(value: Any) -> list:
    """A list field, or [] when it is missing or not a list."""
    return value if isinstance(value, list) else []


def mappings(value: Any) -> list[dict]:
    """The mappings of a list field (other entries skipped), or [] when it is not a list."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def mapping(value: Any) -> dict:
    """A mapping field, or {} when it is missing or not a mapping."""
    return value if isinstance(value, dict) else {}
