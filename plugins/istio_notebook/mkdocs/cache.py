"""Content-hash cache of page results: a manifest in ``cache_dir``, loaded on_config, saved on_post_build.

A page's key hashes its text, the fixture files, the backend and the package's own code, so a
changed page, fixture or checker means a re-check and nothing else does.
"""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
from functools import cache
from importlib import resources
from pathlib import Path

from istio_notebook.examples.run import PageReport

log = logging.getLogger("mkdocs.plugins.istio_notebook")
FORMAT = 1


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
    """Page results by key: in memory across `mkdocs serve` rebuilds, on disk across builds."""

    def __init__(self, directory: Path | None):
        self.directory = directory
        self.manifest: dict[str, str] = {}  # page → key
        self.memory: dict[str, PageReport] = {}
        self.hits = self.misses = 0

    def load(self) -> None:
        if self.directory is None:
            return
        try:
            data = json.loads((self.directory / "manifest.json").read_text(encoding="utf-8"))
            if data.get("format") == FORMAT and data.get("code") == code_version():
                self.manifest = dict(data.get("pages", {}))
        except (OSError, ValueError):
            self.manifest = {}

    def get(self, page: str, key: str) -> PageReport | None:
        report = self.memory.get(key)
        if report is None and self.directory is not None and self.manifest.get(page) == key:
            try:
                report = pickle.loads((self.directory / "pages" / f"{key}.pickle").read_bytes())
            except Exception:  # noqa: BLE001 - a damaged cache entry is just a miss
                report = None
        if report is None:
            self.misses += 1
        else:
            self.hits += 1
            self.memory[key] = report
        return report

    def put(self, page: str, key: str, report: PageReport) -> None:
        self.manifest[page] = key
        self.memory[key] = report

    def save(self) -> None:
        # Keep in memory only what the current pages use: `mkdocs serve` makes a new key at every save.
        wanted = set(self.manifest.values())
        self.memory = {key: report for key, report in self.memory.items() if key in wanted}
        if self.directory is None:
            return
        try:
            pages = self.directory / "pages"
            pages.mkdir(parents=True, exist_ok=True)
            for key in wanted:
                target = pages / f"{key}.pickle"
                if not target.exists() and key in self.memory:
                    target.write_bytes(pickle.dumps(self.memory[key], protocol=pickle.HIGHEST_PROTOCOL))
            for stale in pages.glob("*.pickle"):
                if stale.stem not in wanted:
                    stale.unlink()
            manifest = {"format": FORMAT, "code": code_version(), "pages": self.manifest}
            (self.directory / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
        except Exception as error:  # noqa: BLE001 - an unwritable cache slows the next build, nothing more
            log.info("cache not saved (%s: %s)", type(error).__name__, error)
