"""The Python the playground's worker fetches, split by what its first runs import (assets.py).

1. The pure-Python wheels become one zip, ``engine.zip``, that the worker puts on ``sys.path`` as
   it is (zipimport): loadPackage unpacked every wheel file into Pyodide's file system at each
   start (about 0.4 s of CPU for these six). Type stubs, ``py.typed`` and ``RECORD`` are left out
   (nothing reads them at run time); precompile.py then puts bytecode in place of the sources, as
   for the stdlib.
2. trace.mjs boots the worker's way from the whole zips and runs the first "試す" of every page
   (its route or authz check, the check of its files, the diagram); a module whose file it never
   imported leaves the stdlib zip and ``engine.zip`` for ``rest.zip``, which the worker fetches
   only if a later run imports one of them (istio_notebook/playground/rest.py). Data files stay.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

import zips
from istio_notebook.playground.rest import module_name
from istio_notebook.playground.sessions import given

HERE = Path(__file__).resolve().parent
ENGINE = "engine.zip"
REST = "rest.zip"
# Where the worker puts each zip (docs/assets/javascripts/playground/boot.js, Pyodide's stdlib)
RUNTIME = {"python_stdlib.zip": "/lib/python314.zip", ENGINE: "/lib/engine.zip", REST: "/lib/rest.zip"}
UNREAD = (".pyi", "/py.typed", ".dist-info/RECORD")


def merge_wheels(wheels: list[Path], target: Path) -> None:
    """``target``: the files of every wheel in ``wheels`` but those nothing reads at run time."""
    members: dict[str, bytes] = {}
    for wheel in wheels:
        members.update((name, data) for name, data in zips.members(wheel).items() if not name.endswith(UNREAD))
    zips.write(target, members)


def first_requests(sessions: Path) -> list[dict]:
    """The runs of each page's first "試す" (page.js): each command's first check, then the check
    of that check's files, as the playground runs them."""
    requests = []
    for path in sorted(sessions.rglob("session.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        seen = set()
        for check in data["checks"]:
            if check["command"] in seen:
                continue
            seen.add(check["command"])
            files = data["scenarios"][check["scenario"]]
            requests += [{"argv": check["argv"], "files": files}, {"argv": ["check", *given(files), "--format", "json", "--lang", "ja"], "files": files}]
    return requests


def trace(out: Path, manifest: dict, requests: list[dict]) -> set[str]:
    """The files (runtime paths) of the modules the worker's boot and ``requests`` import."""
    with tempfile.TemporaryDirectory() as work:
        (Path(work) / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        (Path(work) / "requests.json").write_text(json.dumps(requests), encoding="utf-8")
        command = ["node", str(HERE / "trace.mjs"), str(out), str(Path(work) / "manifest.json"), str(Path(work) / "requests.json")]
        done = subprocess.run(command, check=True, capture_output=True, text=True)
    return set(done.stdout.split())


def split(archives: dict[Path, str], imported: set[str], rest: Path) -> list[str]:
    """Move each module of ``archives`` (zip → its path at run time) that was not ``imported`` into
    ``rest``; the module names now there (for rest.py's finder)."""
    moved: dict[str, bytes] = {}
    for archive, runtime in archives.items():
        kept = {}
        for name, data in zips.members(archive).items():
            if module_name(name) is None or f"{runtime}/{name}" in imported:
                kept[name] = data
            else:
                moved[name] = data
        zips.write(archive, kept)
    zips.write(rest, moved)
    return sorted({module_name(name) for name in moved})
