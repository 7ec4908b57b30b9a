"""Run inside Pyodide (``node pyodide_node.mjs PYODIDE_DIR WHEELS_DIR precompile.py WHEEL...``, as
assets.py does): the bytecode of every module of each wheel named (under /host), written to
``/host/<wheel>.bytecode/<path in the wheel>``; assets.py adds those files to the wheel.

Importing the engine compiled some 450 modules (the engine's, pydantic's, PyYAML's) in the browser:
about a second of the first run's CPU time (Node, Pyodide 314.0.7: imports 2.8 s without, 1.8 s
with). The interpreter that writes the bytecode here is the browser's own (same Pyodide, so the
same magic number), each ``.pyc`` goes where the import system looks for it (``__pycache__``) and
is checked-hash based (PEP 552): Python compares it with the source's hash and recompiles when
they differ, so a stale ``.pyc`` is never used. Sources stay in the wheel (tracebacks,
inspection). The stdlib only: this runs before any wheel is installed.
"""

import importlib.util
import os
import site
import sys
import zipfile
from importlib._bootstrap_external import _code_to_hash_pyc

SITE_PACKAGES = site.getsitepackages()[0]  # where loadPackage unpacks wheels in the browser


def bytecode(name, source):
    """The checked-hash ``.pyc`` of module file ``name`` (a wheel member), or None when it is not
    this Python's syntax (a module for another version, never imported here)."""
    try:
        code = compile(source, f"{SITE_PACKAGES}/{name}", "exec", dont_inherit=True)
    except SyntaxError:
        return None
    return bytes(_code_to_hash_pyc(code, importlib.util.source_hash(source), checked=True))


def precompile(path, out):
    """Write the ``.pyc`` of each module of the wheel at ``path`` under ``out``; how many."""
    count = 0
    with zipfile.ZipFile(path) as wheel:
        for name in wheel.namelist():
            if not name.endswith(".py") or ".dist-info/" in name:
                continue
            pyc = bytecode(name, wheel.read(name))
            if pyc is None:
                continue
            target = os.path.join(out, importlib.util.cache_from_source(name))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as file:
                file.write(pyc)
            count += 1
    return count


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(f"{name}: {precompile(f'/host/{name}', f'/host/{name}.bytecode')} modules compiled")
