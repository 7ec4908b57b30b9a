"""The real site built by each builder (issue 17), and a loopback server for an output directory.

MkDocs builds into any directory (``--site-dir``). Zensical has no such option and writes the
``site_dir`` of its config, resolving every path against the config's folder and refusing a
``docs_dir`` outside it, so the Zensical build runs in a scratch project: a copy of ``docs/``,
the repository's ``plugins/`` (theme overrides) linked, ``mkdocs.yml`` with ``site_dir`` set, and
the repository's example cache linked in (results are keyed by content, so the MkDocs build of
the same session has already checked every page).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

from istio_notebook.markdown.cache import DEFAULT_DIR as DEFAULT_CACHE_DIR

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CACHE = Path(DEFAULT_CACHE_DIR)  # mkdocs.yml: markdown_extensions istio_notebook.markdown cache_dir
# Material's notice about its future is documented once (docs/contributing/builders.md).
QUIET = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


class BuildFailed(Exception):
    """A builder refused the real site; the message ends with its output."""


def zensical_executable() -> Path | None:
    found = shutil.which("zensical", path=str(BIN))
    return Path(found) if found else None


def build_mkdocs(out: Path) -> Path:
    done = subprocess.run(
        [str(BIN / "mkdocs"), "build", "--strict", "--quiet", "--site-dir", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=600, env=QUIET,
    )
    if done.returncode != 0:
        raise BuildFailed(f"mkdocs build --strict failed:\n{done.stderr[-4000:]}")
    return out


def build_zensical(project: Path, zensical: Path) -> Path:
    """``zensical build --clean --strict`` of the real site (as ``./dev build --zensical``); the output dir."""
    shutil.copytree(REPO / "docs", project / "docs")
    (project / "plugins").symlink_to(REPO / "plugins", target_is_directory=True)
    (REPO / CACHE).mkdir(parents=True, exist_ok=True)
    (project / CACHE).parent.mkdir(parents=True, exist_ok=True)
    (project / CACHE).symlink_to(REPO / CACHE, target_is_directory=True)
    out = project / "site"
    config = re.sub(r"(?m)^site_dir:.*\n", "", (REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    (project / "mkdocs.yml").write_text(f"site_dir: {out}\n{config}", encoding="utf-8")
    done = subprocess.run(
        [str(zensical), "build", "--clean", "--strict", "-f", "mkdocs.yml"],
        cwd=project, capture_output=True, text=True, timeout=600, env=QUIET,
    )
    if done.returncode != 0 or not (out / "index.html").is_file():
        raise BuildFailed(f"zensical build --strict failed:\n{(done.stdout + done.stderr)[-4000:]}")
    return out


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - signature from the stdlib
        pass


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on a free loopback port; yields the base URL (ends with /)."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
