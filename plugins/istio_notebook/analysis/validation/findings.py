"""Where semantic checks put what they find: one IST0106 per error, one IST0133 per warning, at the field's line."""

from __future__ import annotations

from collections.abc import Iterable

from istio_notebook.analysis.util import as_dict, as_list
from istio_notebook.config.models import field_path
from istio_notebook.config.resource import Resource
from istio_notebook.diagnostics import Diagnostic, report

Path = tuple[str | int, ...]
_ABSENT = object()


class Findings:
    """Collects IST0106 (error) and IST0133 (warning) diagnostics for one resource; ``path`` is a field path from the document root."""

    def __init__(self, resource: Resource):
        self.resource = resource
        self.diagnostics: list[Diagnostic] = []

    @property
    def namespace(self) -> str:
        return self.resource.namespace

    def error(self, path: Path, text: str) -> None:
        self._add("IST0106", path, text)

    def warning(self, path: Path, text: str) -> None:
        """What Istio's validation returns as a warning (IST0133): the resource is accepted anyway."""
        self._add("IST0133", path, text)

    def _add(self, code: str, path: Path, text: str) -> None:
        detail = f"{field_path(path)}: {text}"
        # A field that is not there has no line of its own: point at the key of its parent.
        where = path if len(path) < 2 or self.resource.get(*path, default=_ABSENT) is not _ABSENT else path[:-1]
        self.diagnostics.append(report(code, self.resource.locate(*where), origin=self.resource.origin, detail=detail))

    def errors(self, path: Path, texts: Iterable[str | None]) -> None:
        for text in texts:
            if text:
                self.error(path, text)

    def item_errors(self, path: Path, problems: Iterable[tuple[int | None, str]]) -> None:
        """Errors about the items of the list at ``path`` (index), or about the whole list (None)."""
        for index, text in problems:
            self.error(path if index is None else path + (index,), text)


# Repeated fields, maps and messages read defensively (absent or null → empty), as analyzers do;
# three names so that each check says which kind of field it reads.
items = as_list
entries = as_dict
fields = as_dict


def present(message: dict, name: str) -> bool:
    """Set in protobuf terms: present and not null (``field:`` alone in YAML is null, i.e. unset)."""
    return message.get(name) is not None
