"""Where semantic checks put what they find: one IST0106 per problem, at the field's line."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from istio_notebook.config.models import field_path
from istio_notebook.config.resource import Resource
from istio_notebook.diagnostics import Diagnostic, report

Path = tuple[str | int, ...]
_ABSENT = object()


class Findings:
    """Collects IST0106 diagnostics for one resource; ``path`` is a field path from the document root."""

    def __init__(self, resource: Resource):
        self.resource = resource
        self.diagnostics: list[Diagnostic] = []

    @property
    def namespace(self) -> str:
        return self.resource.namespace

    def error(self, path: Path, text: str) -> None:
        detail = f"{field_path(path)}: {text}"
        # A field that is not there has no line of its own: point at the key of its parent.
        where = path if len(path) < 2 or self.resource.get(*path, default=_ABSENT) is not _ABSENT else path[:-1]
        self.diagnostics.append(report("IST0106", self.resource.locate(*where), origin=self.resource.origin, detail=detail))

    def errors(self, path: Path, texts: Iterable[str | None]) -> None:
        for text in texts:
            if text:
                self.error(path, text)


def items(value: Any) -> list:
    """A repeated field's elements (absent or null → none)."""
    return value if isinstance(value, list) else []


def entries(value: Any) -> dict:
    """A map field's entries (absent or null → none)."""
    return value if isinstance(value, dict) else {}


def fields(value: Any) -> dict:
    """A message's fields (absent or null → empty)."""
    return value if isinstance(value, dict) else {}


def present(message: dict, name: str) -> bool:
    """Set in protobuf terms: present and not null (``field:`` alone in YAML is null, i.e. unset)."""
    return message.get(name) is not None
