"""Run inside Pyodide (``node pyodide_node.mjs PYODIDE_DIR WHEELS_DIR precompile.py WHEEL...``, as
assets.py does): add the bytecode of every module to each wheel named (under /host), in place.

Importing the engine compiled some 450 modules (the engine's, pydantic's, PyYAML's) in the browser: about
a second of the first run's CPU time (Node, Pyodide 314.0.7: imports 2.8 s without, 1.8 s with). The
interpreter that writes the bytecode here is the browser's own (same Pyodide, so the same magic
number), each ``.pyc`` sits where the import system looks for it (``__pycache__``) and is
checked-hash based (PEP 552): Python compares it with the source's hash and recompiles when they
differ, so a stale ``.pyc`` is never used. Sources stay in the wheel (tracebacks, inspection).
The stdlib only: this runs before any wheel is installed.
"""

import base64
import hashlib
import importlib.util
import site
import sys
import zipfile
from importlib._bootstrap_external import _code_to_hash_pyc

SITE_PACKAGES = site.getsitepackages()[0]  # where loadPackage unpacks wheels in the browser
EPOCH = (1980, 1, 1, 0, 0, 0)


def bytecode(name, source):
    """The checked-hash ``.pyc`` of module file ``name`` (a wheel member), or None when it is not
    this Python's syntax (a module for another version, never imported here)."""
    try:
        code = compile(source, f"{SITE_PACKAGES}/{name}", "exec", dont_inherit=True)
    except SyntaxError:
        return None
    return bytes(_code_to_hash_pyc(code, importlib.util.source_hash(source), checked=True))


def _record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}\n"


def precompile(path):
    """Rewrite the wheel at ``path`` with a ``__pycache__`` entry beside each module; the count."""
    with zipfile.ZipFile(path) as wheel:
        members = {info.filename: wheel.read(info) for info in wheel.infolist() if not info.is_dir()}
    if any("/__pycache__/" in name for name in members):
        return 0  # already done (assets.py keeps wheels between runs)
    added = {}
    for name, data in members.items():
        if name.endswith(".py") and ".dist-info/" not in name:
            pyc = bytecode(name, data)
            if pyc is not None:
                added[importlib.util.cache_from_source(name)] = pyc
    record = next(name for name in members if name.endswith(".dist-info/RECORD"))
    members.update(added)
    members[record] = (members[record].decode() + "".join(_record_line(n, d) for n, d in sorted(added.items()))).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name in sorted(members):
            wheel.writestr(zipfile.ZipInfo(name, date_time=EPOCH), members[name], compress_type=zipfile.ZIP_DEFLATED)
    return len(added)


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(f"{name}: {precompile(f'/host/{name}')} modules compiled")
