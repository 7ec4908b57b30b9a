"""tools/playground/bundle.py: the pure-Python wheels become one zip the worker imports in place,
and what the first runs of the pages never import moves to the zip fetched on demand."""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools" / "playground"))
import bundle  # noqa: E402  (tools/playground/bundle.py)
import zips  # noqa: E402


def _zip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def test_merged_wheels_keep_modules_data_and_metadata_but_not_stubs_or_records(tmp_path):
    one = _zip(tmp_path / "a-1-py3-none-any.whl", {"a/__init__.py": b"", "a/__init__.pyi": b"", "a/py.typed": b"", "a-1.dist-info/RECORD": b"", "a-1.dist-info/METADATA": b"Name: a\n"})
    two = _zip(tmp_path / "b-1-py3-none-any.whl", {"b.py": b"X = 1\n", "b/data.yaml": b"k: v\n", "b-1.dist-info/entry_points.txt": b""})
    bundle.merge_wheels([one, two], tmp_path / "engine.zip")
    assert set(zips.members(tmp_path / "engine.zip")) == {"a/__init__.py", "a-1.dist-info/METADATA", "b.py", "b/data.yaml", "b-1.dist-info/entry_points.txt"}


def test_split_moves_what_was_not_imported_and_names_its_modules(tmp_path):
    stdlib = _zip(tmp_path / "python_stdlib.zip", {"json/__init__.pyc": b"1", "json/tool.pyc": b"2", "pdb.pyc": b"3"})
    engine = _zip(tmp_path / "engine.zip", {"pkg/__init__.pyc": b"4", "pkg/cold.pyc": b"5", "pkg/data.yaml": b"6", "pkg/old.py": b"7"})
    imported = {"/lib/python314.zip/json/__init__.pyc", "/lib/engine.zip/pkg/__init__.pyc", "/elsewhere/pdb.pyc"}
    names = bundle.split({stdlib: "/lib/python314.zip", engine: "/lib/engine.zip"}, imported, tmp_path / "rest.zip")
    assert names == ["json.tool", "pdb", "pkg.cold", "pkg.old"]
    assert set(zips.members(stdlib)) == {"json/__init__.pyc"}
    assert set(zips.members(engine)) == {"pkg/__init__.pyc", "pkg/data.yaml"}  # data files stay
    assert zips.members(tmp_path / "rest.zip") == {"json/tool.pyc": b"2", "pdb.pyc": b"3", "pkg/cold.pyc": b"5", "pkg/old.py": b"7"}


def test_the_first_requests_are_each_commands_first_check_and_the_check_of_its_files(tmp_path):
    files = {"fixtures.yaml": "a: 1\n", "example.yaml": "b: 2\n", "empty.yaml": " \n"}
    checks = [
        {"command": "route", "scenario": "s", "argv": ["route", "fixtures.yaml", "--request", "GET http://a/"]},
        {"command": "route", "scenario": "s", "argv": ["route", "second"]},
        {"command": "authz", "scenario": "s", "argv": ["authz", "example.yaml"]},
    ]
    (tmp_path / "page").mkdir()
    (tmp_path / "page" / "session.json").write_text(json.dumps({"page": "page/", "scenarios": {"s": files}, "checks": checks, "examples": []}))
    check = {"argv": ["check", "fixtures.yaml", "example.yaml", "--format", "json", "--lang", "ja"], "files": files}
    assert bundle.first_requests(tmp_path) == [{"argv": checks[0]["argv"], "files": files}, check, {"argv": checks[2]["argv"], "files": files}, check]
