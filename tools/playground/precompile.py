"""Run inside Pyodide (``node pyodide_node.mjs PYODIDE_DIR OUT precompile.py ARCHIVE[=PATH]...``, as
assets.py does): the bytecode of every module of each archive named (a path under /host: a wheel,
or Pyodide's python_stdlib.zip), written to ``/host/<archive>.bytecode/<path of the .pyc>``;
assets.py puts those files into the archive.

Pyodide 314.0.7's python_stdlib.zip holds sources only (559 .py, no .pyc), so Python compiled
every stdlib module it imported, at each start: Pyodide's own boot imports about 190. The stdlib
gets sourceless ``.pyc`` beside the sources' places (zipimport looks for ``name.pyc`` first and
does not read ``__pycache__``), and the sources leave the zip (assets.py), as CPython's own
embeddable distribution ships its stdlib.

Importing the engine compiled some 450 modules (the engine's, pydantic's, PyYAML's) in the browser:
about a second of the first run's CPU time (Node, Pyodide 314.0.7: imports 2.8 s without, 1.8 s
with). The interpreter that writes the bytecode here is the browser's own (same Pyodide, so the
same magic number), each ``.pyc`` goes where the import system looks for it (``__pycache__``) and
is checked-hash based (PEP 552): Python compares it with the source's hash and recompiles when
they differ, so a stale ``.pyc`` is never used; sources stay in the wheel. The pure-Python
packages are one zip that the worker imports in place (bundle.py): there, as in the stdlib, the
bytecode replaces the sources (``ARCHIVE=PATH``: the zip's path at run time, which tracebacks
name). The stdlib only: this runs before any wheel is installed.
"""

import importlib.util
import os
import site
import sys
import zipfile
from importlib._bootstrap_external import _code_to_hash_pyc

SITE_PACKAGES = site.getsitepackages()[0]  # where loadPackage unpacks wheels in the browser


STDLIB = next(p for p in sys.path if p.endswith(".zip"))  # /lib/python314.zip: the stdlib, mounted


def bytecode(filename, source, checked):
    """The hash-based ``.pyc`` of module ``filename`` (its path at run time), or None when it is
    not this Python's syntax (a module for another version, never imported here)."""
    try:
        code = compile(source, filename, "exec", dont_inherit=True)
    except SyntaxError:
        return None
    return bytes(_code_to_hash_pyc(code, importlib.util.source_hash(source), checked=checked))


def precompile(path, out, where):
    """Write the ``.pyc`` of each module of the archive at ``path`` under ``out``; how many.
    A wheel's go to ``__pycache__`` (checked against their sources, which stay); a zip's (the
    stdlib, the engine's zip; ``where``: its path at run time) replace their sources."""
    wheel = path.endswith(".whl")
    count = 0
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if not name.endswith(".py") or ".dist-info/" in name:
                continue
            pyc = bytecode(f"{where}/{name}", archive.read(name), checked=wheel)
            if pyc is None:
                continue
            target = os.path.join(out, importlib.util.cache_from_source(name) if wheel else name + "c")
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as file:
                file.write(pyc)
            count += 1
    return count


if __name__ == "__main__":
    for argument in sys.argv[1:]:
        name, _, runtime = argument.partition("=")
        where = runtime or (SITE_PACKAGES if name.endswith(".whl") else STDLIB)
        print(f"{name}: {precompile(f'/host/{name}', f'/host/{name}.bytecode', where)} modules compiled")
