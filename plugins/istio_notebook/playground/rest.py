"""The modules the playground's first run never imports, fetched when something imports one.

tools/playground/assets.py splits the Python the browser needs in two: what the worker's boot and
the first run of a page's "試す" import (Pyodide's stdlib zip and the engine's zip, fetched at
boot) and everything else (``rest.zip``: most of the stdlib, pydantic.v1, the CLI's Envoy and
MkDocs code, ...), which the reader's browser fetches only if a later run imports one of its
modules. :class:`RestFinder` sits last on ``sys.meta_path``: for a name listed in the rest zip it
calls ``fetch`` once (the worker's synchronous read of ``rest.zip``), writes the bytes to
``where`` and imports from there with :mod:`zipimport`; any other name is not its business, so a
module that exists nowhere still raises the usual ImportError, without a download.

Imports only the stdlib: the worker installs it before anything of the engine is imported.
"""

from __future__ import annotations

import importlib.machinery
import sys
import zipimport
from collections.abc import Callable, Iterable
from pathlib import Path


def module_name(member: str) -> str | None:
    """The module a zip member holds (``a/b/__init__.pyc`` → ``a.b``, ``a/c.pyc`` → ``a.c``), or
    None for a data file."""
    for suffix in (".pyc", ".py"):
        if member.endswith(suffix):
            parts = member[: -len(suffix)].split("/")
            if parts[-1] == "__init__":
                parts.pop()
            return ".".join(parts) if parts and "__pycache__" not in parts else None
    return None


class RestFinder:
    """A meta path finder for the modules of the rest zip (see the module docstring)."""

    def __init__(self, names: Iterable[str], where: str, fetch: Callable[[], bytes]) -> None:
        self.names = frozenset(names)
        self.where = where
        self.fetch = fetch
        self.fetched = False

    def _zip(self) -> str:
        if not self.fetched:
            data = self.fetch()  # from the worker: a JavaScript Uint8Array (Pyodide's JsBuffer)
            Path(self.where).write_bytes(data.to_bytes() if hasattr(data, "to_bytes") else bytes(data))
            self.fetched = True
        return self.where

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.names:
            return None
        folder = fullname.rpartition(".")[0].replace(".", "/")
        return zipimport.zipimporter(f"{self._zip()}/{folder}/" if folder else self._zip()).find_spec(fullname)

    def invalidate_caches(self) -> None:
        pass


def install(names: Iterable[str], where: str, fetch: Callable[[], bytes]) -> RestFinder:
    """Put a :class:`RestFinder` last on ``sys.meta_path`` (after the stdlib's and the engine's zips)."""
    finder = RestFinder(names, where, fetch)
    sys.meta_path.append(finder)
    return finder
