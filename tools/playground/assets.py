"""Build the in-browser playground's files into docs/assets/playground/ (served with the site).

  vendor/pyodide/   Pyodide's runtime from the npm registry (pinned version, tarball sha256)
  wheels/           the binary wheel the worker unpacks (pydantic-core, from PyPI, pip --require-hashes)
  engine.zip        the pure-Python wheels in one zip, imported in place (bundle.py): the engine's
                    dependencies from PyPI (requirements*.txt, hashes checked), PyYAML repacked as
                    pure Python, and the project's own wheel
  rest.zip          every module the first runs of the pages do not import (bundle.py, trace.mjs),
                    fetched by the worker only when a run imports one
  *.gz              gzip twins of Pyodide's WebAssembly and lock file, which the worker fetches
  manifest.json     what the Web Worker loads (docs/assets/javascripts/playground/boot.js)
  sessions/         each docs page's "試す" files and command lines (playground/site.py; the MkDocs
                    hook rewrites them from the pages it builds, Zensical has no hooks)

Every module gets its bytecode, written by the browser's own interpreter (pyodide_node.mjs runs
precompile.py in the vendored Pyodide under Node): beside the sources in the wheel, in place of
them in engine.zip and Pyodide's stdlib zip; and the project's YAML data files get JSON twins
(istio_notebook/package_data.py), so that the first run neither compiles modules nor parses YAML
catalogues with the pure-Python PyYAML. Every file derives from the pinned, checksummed downloads
and the repository, written the same way each build (zips.py).

Nothing is fetched when a reader opens the page: the worker loads these files from the site.
Downloads are cached in .cache/playground/ and skipped when their checksum still matches.
Usage: python tools/playground/assets.py [--out DIR] [--skip-project]
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

import bundle
import zips
from istio_notebook import package_data
from istio_notebook.playground import site

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CACHE = REPO / ".cache" / "playground"
PYODIDE_VERSION = "314.0.7"
PYODIDE_SHA256 = "66b7949e5a0cba2250b586d7e368bf12fb482800748d182c4618254b685ffaa0"
# Served as gzip twins (NAME.gz), decompressed by the worker (boot.js gunzipping); the file itself
# stays for Node (trace.mjs, the benchmarks). The zips are deflated already.
GZIPPED = ("vendor/pyodide/pyodide.asm.wasm", "vendor/pyodide/pyodide-lock.json")
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
PLATFORM = ["--platform", "pyemscripten_2026_0_wasm32", "--python-version", "3.14", "--implementation", "cp", "--abi", "cp314"]


def log(message: str) -> None:
    print(f"playground assets: {message}", file=sys.stderr)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pyodide_tarball() -> Path:
    tarball = CACHE / f"pyodide-{PYODIDE_VERSION}.tgz"
    if not (tarball.exists() and sha256(tarball) == PYODIDE_SHA256):
        log(f"fetching pyodide {PYODIDE_VERSION} from the npm registry")
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "pack", "--silent", f"pyodide@{PYODIDE_VERSION}", "--pack-destination", str(CACHE)], check=True, stdout=subprocess.DEVNULL)
    if sha256(tarball) != PYODIDE_SHA256:
        raise SystemExit(f"pyodide checksum mismatch: {tarball}")
    return tarball


def vendor_pyodide(out: Path) -> None:
    target = out / "vendor" / "pyodide"
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(pyodide_tarball()) as archive:
        for name in PYODIDE_FILES:
            member = archive.extractfile(f"package/{name}")
            (target / name).write_bytes(member.read())


def download_wheels() -> Path:
    wheels = CACHE / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    pip = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--require-hashes", "-d", str(wheels)]
    subprocess.run([*pip, "--only-binary=:all:", *PLATFORM, "-r", str(HERE / "requirements.txt")], check=True)
    subprocess.run([*pip, "--no-binary=:all:", "--no-build-isolation", "-r", str(HERE / "requirements-sdist.txt")], check=True)
    return wheels


def repack_pyyaml(sdist: Path, out: Path) -> Path:
    """A py3-none-any wheel of PyYAML's pure-Python package (lib/yaml of the pinned sdist)."""
    version = sdist.name.removeprefix("pyyaml-").removesuffix(".tar.gz")
    wheel = out / f"PyYAML-{version}-py3-none-any.whl"
    info = f"PyYAML-{version}.dist-info"
    files: dict[str, bytes] = {}
    with tarfile.open(sdist) as archive:
        for member in archive.getmembers():
            parts = Path(member.name).parts
            if member.isfile() and parts[1:3] == ("lib", "yaml") and member.name.endswith(".py"):
                files["/".join(parts[2:])] = archive.extractfile(member).read()
            elif member.isfile() and parts[1:] in (("PKG-INFO",), ("LICENSE",)):
                files[f"{info}/{'METADATA' if parts[1] == 'PKG-INFO' else 'LICENSE'}"] = archive.extractfile(member).read()
    files[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: istio-notebook playground assets\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    record = "".join(f"{name},sha256={_record_digest(data)},{len(data)}\n" for name, data in sorted(files.items()))
    files[f"{info}/RECORD"] = (record + f"{info}/RECORD,,\n").encode()
    zips.write(wheel, files)
    return wheel


def build_project_wheel(out: Path) -> None:
    with tempfile.TemporaryDirectory() as build:
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", build, str(REPO)],
            check=True,
        )
        for wheel in Path(build).glob("istio_notebook-*.whl"):
            shutil.copy(wheel, out / wheel.name)


def add_to_wheel(wheel: Path, added: dict[str, bytes]) -> None:
    """Rewrite ``wheel`` with the files ``added`` (path in the wheel → bytes), listed in its RECORD."""
    members = zips.members(wheel)
    record = next(name for name in members if name.endswith(".dist-info/RECORD"))
    lines = [f"{name},sha256={_record_digest(data)},{len(data)}\n" for name, data in sorted(added.items())]
    members.update(added)
    members[record] += "".join(lines).encode()
    zips.write(wheel, members)


def sources_to_bytecode(stdlib: Path, compiled: dict[str, bytes]) -> None:
    """Rewrite the stdlib zip with each ``name.pyc`` of ``compiled`` in place of ``name.py``."""
    members = zips.members(stdlib)
    for name in compiled:
        members.pop(name[:-1], None)
    zips.write(stdlib, {**members, **compiled})


def _record_digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def add_json_twins(wheel: Path) -> None:
    """The JSON twin of each YAML data file of the project's package (istio_notebook.package_data)."""
    with zipfile.ZipFile(wheel) as archive:
        yamls = {n: archive.read(n).decode("utf-8") for n in archive.namelist() if n.startswith("istio_notebook/") and n.endswith(".yaml")}
    add_to_wheel(wheel, {name + package_data.TWIN_SUFFIX: package_data.twin(text).encode("utf-8") for name, text in yamls.items()})


def precompile(out: Path) -> None:
    """Bytecode into every wheel of ``out``/wheels, Pyodide's stdlib and the engine's zip (precompile.py says why and how)."""
    pyodide = out / "vendor" / "pyodide"
    archives = [*sorted((out / "wheels").glob("*.whl")), pyodide / "python_stdlib.zip", out / bundle.ENGINE]
    arguments = [archive.relative_to(out).as_posix() for archive in archives if archive.exists()]
    run_in_pyodide(pyodide, out, HERE / "precompile.py", *(f"{a}={bundle.RUNTIME[a]}" if a in bundle.RUNTIME else a for a in arguments))
    for archive in (out / a for a in arguments):
        folder = archive.with_name(archive.name + ".bytecode")
        compiled = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.pyc")}
        shutil.rmtree(folder)
        if archive.suffix == ".whl":
            add_to_wheel(archive, compiled)
        else:
            sources_to_bytecode(archive, compiled)


def run_in_pyodide(pyodide: Path, host: Path, script: Path, *args: str) -> str:
    """``script``'s standard output, run in Pyodide under Node with ``host`` mounted at /host."""
    node = shutil.which("node")
    if node is None:
        raise SystemExit("node is needed to run Pyodide outside the browser (it comes with npm)")
    command = [node, str(HERE / "pyodide_node.mjs"), str(pyodide), str(host), str(script), *args]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def bundle_engine(out: Path) -> None:
    """The pure-Python wheels of ``out``/wheels into the engine's zip (bundle.py); the binary ones stay."""
    pure = sorted((out / "wheels").glob("*-py3-none-any.whl"))
    bundle.merge_wheels(pure, out / bundle.ENGINE)
    for wheel in pure:
        wheel.unlink()


def write_gzip_twins(out: Path) -> None:
    for name in GZIPPED:
        (out / f"{name}.gz").write_bytes(gzip.compress((out / name).read_bytes(), compresslevel=9, mtime=0))


def write_manifest(out: Path, traced: bool) -> None:
    """manifest.json (boot.js reads it); with ``traced``, the first runs' modules split from the rest first."""
    wheels = sorted((out / "wheels").glob("*.whl"))
    manifest = {
        "pyodide": "vendor/pyodide/",
        "pyodide_version": PYODIDE_VERSION,
        "wheels": [f"wheels/{w.name}" for w in wheels],
        "engine": {"file": bundle.ENGINE, "path": bundle.RUNTIME[bundle.ENGINE]},
        "gzip": list(GZIPPED),
    }
    if traced:
        imported = bundle.trace(out, manifest, bundle.first_requests(out / "sessions"))
        stdlib = out / "vendor" / "pyodide" / "python_stdlib.zip"
        archives = {stdlib: bundle.RUNTIME[stdlib.name], out / bundle.ENGINE: bundle.RUNTIME[bundle.ENGINE]}
        names = bundle.split(archives, imported, out / bundle.REST)
        manifest["rest"] = {"file": bundle.REST, "path": bundle.RUNTIME[bundle.REST], "names": names}
        log(f"{len(names)} modules the first runs do not import moved to {bundle.REST}")
    else:
        (out / bundle.REST).unlink(missing_ok=True)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")


def write_sessions(out: Path) -> None:
    written, problems = site.write_all(REPO / "docs", out / "sessions")
    for problem in problems:
        log(f"no playground sessions: {problem}")
    log(f"sessions of {written} pages")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "assets" / "playground")
    parser.add_argument("--skip-project", action="store_true", help="only the pinned third-party files")
    args = parser.parse_args(argv)
    out: Path = args.out
    vendor_pyodide(out)
    wheels_out = out / "wheels"
    shutil.rmtree(wheels_out, ignore_errors=True)  # a wheel of an earlier build, or one now bundled
    wheels_out.mkdir(parents=True)
    cache = download_wheels()
    for wheel in cache.glob("*.whl"):
        shutil.copy(wheel, wheels_out / wheel.name)
    repack_pyyaml(next(cache.glob("pyyaml-*.tar.gz")), wheels_out)
    if not args.skip_project:
        build_project_wheel(wheels_out)
        add_json_twins(next(wheels_out.glob("istio_notebook-*.whl")))
        write_sessions(out)
    bundle_engine(out)
    precompile(out)
    write_gzip_twins(out)
    write_manifest(out, traced=not args.skip_project)
    log(f"ready in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
