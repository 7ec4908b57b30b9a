"""The playground's wheels (tools/playground/assets.py) carry their modules' bytecode, written by
the browser's own interpreter (precompile.py run in the vendored Pyodide under Node) in the form
Python's import system uses instead of compiling (PEP 552 checked-hash .pyc in __pycache__), only
for modules of this Python's syntax; and the project's wheel the JSON twins of its YAML data."""

from __future__ import annotations

import json
import shutil
import sys
import zipfile
from pathlib import Path

import pytest
from istio_notebook import package_data

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools" / "playground"))
import assets  # noqa: E402  (tools/playground/assets.py)

MODULES = {
    "demo/__init__.py": b"VALUE = 1\n",
    "demo/deep/rules.py": b"def rule(x):\n    return x * 2\n",
    "demo/legacy.py": b"print 'Python 2'\n",  # not 3.14 syntax: left without bytecode
    "demo/catalogue.yaml": b"messages:\n- code: X1\n  text: |\n    two\n    lines\n",
}
PYCS = {"demo/__pycache__/__init__.cpython-314.pyc", "demo/deep/__pycache__/rules.cpython-314.pyc"}


@pytest.fixture(scope="module")
def pyodide(tmp_path_factory) -> Path:
    if shutil.which("node") is None:
        pytest.skip("node is not installed (npm brings it; ./dev needs it for the playground)")
    out = tmp_path_factory.mktemp("playground")
    assets.vendor_pyodide(out)
    return out / "vendor" / "pyodide"


def _wheel(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    wheel = folder / "demo-1.0-py3-none-any.whl"
    record = "".join(f"{name},,\n" for name in MODULES) + "demo-1.0.dist-info/RECORD,,\n"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, data in MODULES.items():
            archive.writestr(name, data)
        archive.writestr("demo-1.0.dist-info/RECORD", record)
    return wheel


@pytest.fixture(scope="module")
def precompiled(pyodide, tmp_path_factory) -> Path:
    """assets.precompile over a copy of the vendored Pyodide and one demo wheel."""
    out = tmp_path_factory.mktemp("precompiled")
    shutil.copytree(pyodide, out / "vendor" / "pyodide")
    _wheel(out / "wheels")
    assets.precompile(out)
    return out


def test_every_module_gets_the_bytecode_pyodide_imports_and_broken_ones_are_left_alone(precompiled):
    wheel = precompiled / "wheels" / "demo-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        record = archive.read("demo-1.0.dist-info/RECORD").decode()
        assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in archive.infolist())
    assert PYCS <= names and set(MODULES) <= names and not any("legacy" in n and n.endswith(".pyc") for n in names)
    assert all(f"{pyc},sha256=" in record for pyc in PYCS)
    assert not any(p.name.endswith(".bytecode") for p in precompiled.rglob("*"))
    script = REPO / "tests" / "playground" / "in_pyodide" / "pyc_matches_source.py"
    checked = json.loads(assets.run_in_pyodide(precompiled / "vendor" / "pyodide", precompiled / "wheels", script, wheel.name))
    assert set(checked) == PYCS
    for pyc, facts in checked.items():
        assert facts == {"source": facts["source"], "magic": True, "flags": 0b11, "hash": True, "filename": True}, pyc


def test_the_stdlib_zip_holds_bytecode_in_place_of_sources_and_pyodide_boots_from_it(pyodide, precompiled):
    """Pyodide 314.0.7 ships its stdlib as sources only: every start compiled what it imported."""
    with zipfile.ZipFile(pyodide / "python_stdlib.zip") as original:
        assert "asyncio/base_events.py" in original.namelist() and not any(n.endswith(".pyc") for n in original.namelist())
    with zipfile.ZipFile(precompiled / "vendor" / "pyodide" / "python_stdlib.zip") as archive:
        names = set(archive.namelist())
    assert {"asyncio/base_events.pyc", "json/__init__.pyc", "argparse.pyc"} <= names
    assert not {"asyncio/base_events.py", "json/__init__.py", "argparse.py"} & names
    script = REPO / "tests" / "playground" / "in_pyodide" / "stdlib_origin.py"
    origins = json.loads(assets.run_in_pyodide(precompiled / "vendor" / "pyodide", precompiled, script))
    assert origins == {"argparse": "/lib/python314.zip/argparse.pyc", "asyncio": "/lib/python314.zip/asyncio/__init__.pyc"}


def test_the_project_wheel_gets_a_json_twin_of_each_yaml_file_that_loads_as_the_yaml_does(tmp_path):
    wheel = _wheel(tmp_path)
    with zipfile.ZipFile(wheel, "a") as archive:
        archive.writestr("istio_notebook/data/codes.yaml", "codes: [IST0101, {code: IST0102, level: Error}]\n")
    assets.add_json_twins(wheel)
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(tmp_path / "unpacked")
        assert "istio_notebook/data/codes.yaml.json,sha256=" in archive.read("demo-1.0.dist-info/RECORD").decode()
    folder = tmp_path / "unpacked" / "istio_notebook" / "data"
    assert package_data.load(folder, "codes.yaml") == {"codes": ["IST0101", {"code": "IST0102", "level": "Error"}]}


def test_the_gzip_twins_hold_the_same_bytes_and_are_the_same_each_build(tmp_path):
    """The worker fetches NAME.gz for each of assets.GZIPPED (boot.js gunzipping): the same file,
    and the same twin bytes on every build (no time stamp in the gzip header)."""
    import gzip

    for name in assets.GZIPPED:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"\0asm" + bytes(range(256)) * 50)
    assets.write_gzip_twins(tmp_path)
    first = {name: (tmp_path / f"{name}.gz").read_bytes() for name in assets.GZIPPED}
    assets.write_gzip_twins(tmp_path)
    for name, twin in first.items():
        assert gzip.decompress(twin) == (tmp_path / name).read_bytes()
        assert (tmp_path / f"{name}.gz").read_bytes() == twin and len(twin) < (tmp_path / name).stat().st_size
