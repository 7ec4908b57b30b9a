"""What git ignores is not input when a directory is walked (``check docs/`` after a build).

A built site leaves generated JSON and YAML in the tree (docs/assets/playground/: Pyodide's lock
file, the playground's sessions), listed in .gitignore because they are not sources; read as
resources they were 55 INB1006 errors. As ruff and other linters do, a directory walk leaves out
what the .gitignore files of the repository say (git's rules: each file applies to its folder,
a deeper file's verdict wins, ``!`` re-includes). A file named on the command line is always read.
Outside a git repository only the .gitignore files inside the walked tree apply. pathspec (a
dependency of MkDocs) implements git's patterns; without it nothing is left out. A line git
cannot use (``!`` alone, a trailing ``\\``, ``[z-a]``) is skipped, as git skips it, rather than
stopping the walk. Paths are compared as given, made absolute (git matches the paths of the
work tree, not where symbolic links lead), so a walk costs no extra system call per file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

GITIGNORE = ".gitignore"


def _spec(folder: Path) -> Any | None:
    try:
        from pathspec import GitIgnoreSpec
    except ImportError:  # e.g. the browser playground: no directory walks there
        return None
    try:
        text = (folder / GITIGNORE).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return GitIgnoreSpec.from_lines([line for line in text.splitlines() if _usable(GitIgnoreSpec, line)])


def _usable(spec_type: Any, line: str) -> bool:
    try:  # pathspec refuses some lines when it builds them and others on first use (their regex)
        spec_type.from_lines([line]).check_file("x")
    except (ValueError, re.error):  # GitIgnorePatternError is a ValueError: a line git would skip
        return False
    return True


def _repository_root(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


class IgnoreRules:
    """The .gitignore rules that apply under one walked directory, from the repository root down."""

    def __init__(self, top: Path):
        top = top.absolute()
        root = _repository_root(top)
        chain = [top]
        if root is not None:
            chain += [folder for folder in top.parents if folder == root or root in folder.parents]
        self._specs: list[tuple[Path, Any]] = []  # (folder, spec): an ancestor always before its descendants
        for folder in reversed(chain):
            self.enter(folder)

    def enter(self, folder: Path) -> None:
        """Take ``folder``'s .gitignore into account (the walk calls this on each folder it enters)."""
        folder = folder.absolute()
        if any(base == folder for base, _ in self._specs):
            return
        spec = _spec(folder)
        if spec is not None:
            self._specs.append((folder, spec))

    def ignored(self, path: Path, is_dir: bool) -> bool:
        """Whether git ignores ``path``: the deepest .gitignore with a verdict on it decides."""
        path = path.absolute()
        for base, spec in reversed(self._specs):
            if base != path and base not in path.parents:
                continue
            relative = path.relative_to(base).as_posix() + ("/" if is_dir else "")
            verdict = spec.check_file(relative).include
            if verdict is not None:
                return verdict
        return False
