"""Reading and writing the playground's zip files (wheels, Pyodide's stdlib, the engine's zips):
deflated, in name order, with one fixed time, so that every build writes the same bytes."""

from __future__ import annotations

import zipfile
from pathlib import Path

EPOCH = (1980, 1, 1, 0, 0, 0)


def members(path: Path) -> dict[str, bytes]:
    """Path in the zip → bytes, for every file of ``path`` (folders left out)."""
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}


def write(path: Path, files: dict[str, bytes]) -> None:
    """``path`` (re)written with ``files``."""
    with zipfile.ZipFile(path, "w") as archive:
        for name in sorted(files):
            archive.writestr(zipfile.ZipInfo(name, date_time=EPOCH), files[name], compress_type=zipfile.ZIP_DEFLATED)
