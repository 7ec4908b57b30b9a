"""Shared sample workloads (``docs/fixtures/<name>.yaml``), loaded once and reused by every page."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from istio_notebook.config import LoadResult, Mesh, Origin, load_text
from istio_notebook.config.loader import read_text
from istio_notebook.diagnostics import Diagnostic, Level


@dataclass
class Fixture:
    name: str
    path: Path
    loaded: LoadResult
    stamp: tuple[int, int]  # (mtime_ns, size): reload when the file changes
    findings: list[Diagnostic] | None = None  # its own Error/Warning diagnostics, computed on demand


def default_fixtures_dir(page_file: str | Path) -> Path:
    """``docs/fixtures`` of the project the page belongs to (labs pages use the docs' fixtures too)."""
    path = Path(page_file).resolve()
    for parent in path.parents:
        if (parent / "docs" / "fixtures").is_dir():
            return parent / "docs" / "fixtures"
        if parent.name == "docs" and (parent / "fixtures").is_dir():
            return parent / "fixtures"
    return Path("docs/fixtures")


class FixtureStore:
    """Fixture files by name, cached until the file changes."""

    def __init__(self, directory: str | Path, display_root: str | Path | None = None):
        self.directory = Path(directory)
        self.display_root = Path(display_root) if display_root is not None else None
        self._cache: dict[str, Fixture] = {}

    def path(self, name: str) -> Path:
        return self.directory / f"{name}.yaml"

    def display(self, path: Path) -> str:
        if self.display_root is not None:
            try:
                return str(path.resolve().relative_to(self.display_root.resolve()))
            except ValueError:
                pass
        return str(path)

    def get(self, name: str) -> Fixture | None:
        path = self.path(name)
        try:
            stat = path.stat()
        except OSError:
            return None
        stamp = (stat.st_mtime_ns, stat.st_size)
        cached = self._cache.get(name)
        if cached is not None and cached.stamp == stamp:
            return cached
        # Name the fixture file as pages are named (relative), so messages read "docs/fixtures/x.yaml:12".
        text, problems = read_text(path)
        loaded = LoadResult(diagnostics=problems) if text is None else load_text(text, Origin(self.display(path)))
        fixture = Fixture(name=name, path=path, loaded=loaded, stamp=stamp)
        self._cache[name] = fixture
        return fixture

    def findings(self, name: str) -> list[Diagnostic]:
        """The fixture's own Error/Warning diagnostics (load + analyzers), computed once per version."""
        fixture = self.get(name)
        if fixture is None:
            return []
        if fixture.findings is None:
            from istio_notebook.analysis import analyze

            found = fixture.loaded.diagnostics + analyze(Mesh(fixture.loaded.resources))
            fixture.findings = [d for d in found if d.level in (Level.ERROR, Level.WARNING)]
        return fixture.findings

    def names(self) -> list[str]:
        return sorted(p.stem for p in self.directory.glob("*.yaml"))

