"""JSON input (``kubectl get -o json``, files ending in .json) read with JSON's own rules.

JSON is almost a subset of YAML, and the YAML reader gives every node its line and column, so a
JSON text is composed as YAML for the positions. The values come from Python's ``json`` where
YAML 1.1 reads JSON differently: ``1e3`` is a number in JSON and a string in YAML 1.1, and a
surrogate pair escape (``"\\ud83d\\ude00"``, as ``json.dumps`` writes any character outside the
BMP) is one character in JSON and an error for PyYAML. Before composing, such pairs are replaced
by escapes of the same length, so every position stays exact.
"""

from __future__ import annotations

import json
import re
from typing import Any

from istio_notebook.config.yaml_reader import Origin, YamlDocument, read_documents
from istio_notebook.diagnostics import Diagnostic

# An escaped UTF-16 surrogate pair, not itself escaped (an even number of backslashes before it).
_SURROGATE_PAIR = re.compile(r"(?<!\\)((?:\\\\)*)\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}")
_PLACEHOLDER = "\\u0020\\u0020"  # 12 characters, like the pair it replaces


def looks_like_json(text: str) -> bool:
    """The first character that is not white space opens a JSON object or array."""
    stripped = text.lstrip(" \t\r\n\ufeff")
    return stripped[:1] in ("{", "[")


def for_yaml(text: str) -> str:
    """``text`` with surrogate pair escapes replaced by same-length escapes PyYAML reads."""
    return _SURROGATE_PAIR.sub(lambda m: m.group(1) + _PLACEHOLDER, text)


def json_value(text: str) -> tuple[bool, Any]:
    """(True, value) when ``text`` is one JSON value, else (False, None)."""
    try:
        return True, json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        return False, None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def read_json_or_yaml(
    text: str, origin: Origin, max_documents: int | None = None, *, run_limit: int | None = None
) -> tuple[list[YamlDocument], list[Diagnostic]]:
    """The documents of ``text``: YAML, or one JSON value (with JSON's values, YAML's positions).
    ``max_documents``, ``run_limit``: as read_documents."""
    if not looks_like_json(text):
        return read_documents(text, origin, max_documents, run_limit=run_limit)
    documents, diagnostics = read_documents(for_yaml(text), origin, max_documents, run_limit=run_limit)
    is_json, value = json_value(text)
    if is_json and len(documents) == 1 and not diagnostics:
        documents[0].data = value
    return documents, diagnostics
