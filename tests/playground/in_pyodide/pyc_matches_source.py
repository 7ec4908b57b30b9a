"""Run in Pyodide by test_precompile.py: for each wheel named, every bytecode file is the one the
import system of this interpreter would use for its module (PEP 552 checked-hash header: this
Python's magic number, flags 0b11, the source's hash) and names the installed path. Prints JSON."""

import importlib.util
import json
import marshal
import site
import sys
import zipfile

report = {}
for name in sys.argv[1:]:
    with zipfile.ZipFile(f"/host/{name}") as wheel:
        members = {n: wheel.read(n) for n in wheel.namelist()}
    for member, data in sorted(members.items()):
        if not member.endswith(".pyc"):
            continue
        source_name = importlib.util.source_from_cache(member)
        source = members.get(source_name)
        code = marshal.loads(data[16:])
        report[member] = {
            "source": source_name,
            "magic": data[:4] == importlib.util.MAGIC_NUMBER,
            "flags": int.from_bytes(data[4:8], "little"),
            "hash": source is not None and data[8:16] == importlib.util.source_hash(source),
            "filename": code.co_filename == f"{site.getsitepackages()[0]}/{source_name}",
        }
print(json.dumps(report))
