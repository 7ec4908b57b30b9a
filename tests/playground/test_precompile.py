"""The playground's wheels carry their modules' bytecode, written by the browser's own interpreter
(tools/playground/precompile.py run in the vendored Pyodide under Node), in the form Python's
import system uses instead of compiling (PEP 552 checked-hash .pyc in __pycache__), and only for
modules of this Python's syntax."""

from __future__ import annotations

import json
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TOOLS = REPO / "tools" / "playground"
sys.path.insert(0, str(TOOLS))
import assets  # noqa: E402  (tools/playground/assets.py)

MODULES = {
    "demo/__init__.py": b"VALUE = 1\n",
    "demo/deep/rules.py": b"def rule(x):\n    return x * 2\n",
    "demo/legacy.py": b"print 'Python 2'\n",  # not 3.14 syntax: left without bytecode
}


@pytest.fixture(scope="module")
def pyodide(tmp_path_factory) -> Path:
    if shutil.which("node") is None:
        pytest.skip("node is not installed (npm brings it; ./dev needs it for the playground)")
    out = tmp_path_factory.mktemp("playground")
    assets.vendor_pyodide(out)
    return out / "vendor" / "pyodide"


def _wheel(folder: Path) -> Path:
    wheel = folder / "demo-1.0-py3-none-any.whl"
    record = "".join(f"{name},,\n" for name in MODULES) + "demo-1.0.dist-info/RECORD,,\n"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, data in MODULES.items():
            archive.writestr(name, data)
        archive.writestr("demo-1.0.dist-info/RECORD", record)
    return wheel


def test_every_module_gets_the_bytecode_pyodide_imports_and_broken_ones_are_left_alone(pyodide, tmp_path):
    wheel = _wheel(tmp_path)
    printed = assets.run_in_pyodide(pyodide, tmp_path, TOOLS / "precompile.py", wheel.name)
    assert "2 modules compiled" in printed
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        record = archive.read("demo-1.0.dist-info/RECORD").decode()
        assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in archive.infolist())
    pycs = {"demo/__pycache__/__init__.cpython-314.pyc", "demo/deep/__pycache__/rules.cpython-314.pyc"}
    assert pycs <= names and set(MODULES) <= names
    assert not any("legacy" in n and n.endswith(".pyc") for n in names)
    assert all(f"{pyc},sha256=" in record for pyc in pycs)
    checked = json.loads(assets.run_in_pyodide(pyodide, tmp_path, REPO / "tests" / "playground" / "in_pyodide" / "pyc_matches_source.py", wheel.name))
    assert set(checked) == pycs
    for pyc, facts in checked.items():
        assert facts == {"source": facts["source"], "magic": True, "flags": 0b11, "hash": True, "filename": True}, pyc


def test_a_wheel_already_precompiled_is_left_as_it_is(pyodide, tmp_path):
    wheel = _wheel(tmp_path)
    assets.run_in_pyodide(pyodide, tmp_path, TOOLS / "precompile.py", wheel.name)
    first = wheel.read_bytes()
    assert "0 modules compiled" in assets.run_in_pyodide(pyodide, tmp_path, TOOLS / "precompile.py", wheel.name)
    assert wheel.read_bytes() == first
