"""Content-hash cache of checked pages: one JSON file per page version under ``cache_dir/pages``.

A page's key hashes its text, the fixture files, the backend and the package's own code, so a
changed page, fixture or checker means a re-check and nothing else does. An entry is data only
(``codec``: JSON rebuilt into the annotated types, nothing imported or executed) and carries the
cache format and its key: a corrupt, foreign or stale file is ignored with an INFO line and the
page is checked again. Entries are written as soon as a page is checked (a builder without a
post-build hook, such as Zensical, keeps them too); ``prune`` removes those no page uses.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from istio_notebook.markdown import codec

if TYPE_CHECKING:
    from istio_notebook.markdown.checker import PreparedPage

log = logging.getLogger("mkdocs.plugins.istio_notebook")
FORMAT = 2  # 1: pickle files and a manifest (never read any more)
# The default cache_dir, relative to the project. Not under .cache/: `zensical build --clean`
# removes the whole .cache/ directory (its own page cache lives there), which made every Zensical
# build check every page again (benchmarks/build.py: a "warm" build as slow as a cold one).
DEFAULT_DIR = ".istio-notebook-cache"
SUFFIX = ".json"


@cache
def code_version() -> str:
    """Hash of the package's Python and YAML files: results computed by other code are not reused."""
    digest = hashlib.sha256()
    root = Path(str(resources.files("istio_notebook")))
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".yaml") and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def directory_hash(directory: Path) -> str:
    digest = hashlib.sha256()
    if directory.is_dir():
        for path in sorted(directory.rglob("*.yaml")):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def page_key(text: str, *parts: str) -> str:
    digest = hashlib.sha256()
    for part in (code_version(), str(FORMAT), *parts, text):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()[:32]


class ResultCache:
    """Checked pages by key: in memory across `mkdocs serve` rebuilds, on disk across builds."""

    def __init__(self, directory: Path | None):
        self.directory = directory
        self.pages: dict[str, str] = {}  # page → key of its current version
        self.memory: dict[str, PreparedPage] = {}
        self.hits = self.misses = 0

    def get(self, page: str, key: str) -> PreparedPage | None:
        found = self.memory.get(key)
        if found is None and self.directory is not None:
            found = self._read(page, key)
        self.pages[page] = key
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
            self.memory[key] = found
        return found

    def _read(self, page: str, key: str) -> PreparedPage | None:
        from istio_notebook.markdown.checker import PreparedPage

        path = self.directory / "pages" / f"{key}{SUFFIX}"
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        try:
            data = json.loads(raw.decode("utf-8"))
            if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("key") != key:
                raise codec.DecodeError("written by another version or for other inputs")
            found = codec.decode(PreparedPage, data.get("page"))
        except (ValueError, TypeError, KeyError, RecursionError) as error:  # noqa: B014 - any damage is a miss
            log.info("%s: cache entry %s ignored (%s); checking the page again", page, path, _short(error))
            return None
        return found  # type: ignore[return-value]

    def put(self, page: str, key: str, prepared: PreparedPage) -> None:
        self.pages[page] = key
        self.memory[key] = prepared
        if self.directory is None:
            return
        try:
            data = {"format": FORMAT, "key": key, "page": codec.encode(prepared)}
            _write_atomically(self.directory / "pages" / f"{key}{SUFFIX}", json.dumps(data, ensure_ascii=False, separators=(",", ":")))
        except (OSError, TypeError, ValueError) as error:  # an unwritable cache slows the next build, nothing more
            log.info("%s: cache entry not saved (%s)", page, _short(error))

    def prune(self) -> None:
        """Keep (in memory and on disk) only what the current pages use: `mkdocs serve` makes a new key at every save."""
        wanted = set(self.pages.values())
        self.memory = {key: found for key, found in self.memory.items() if key in wanted}
        if self.directory is None:
            return
        try:
            for stale in (self.directory / "pages").iterdir():
                if stale.is_file() and stale.name.removesuffix(SUFFIX) not in wanted:
                    stale.unlink()  # also the pickle files of format 1
            (self.directory / "manifest.json").unlink(missing_ok=True)  # format 1's
        except OSError as error:
            log.info("cache not pruned (%s)", _short(error))


def _write_atomically(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _short(error: BaseException) -> str:
    return f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"[:200]
