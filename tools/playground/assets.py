"""Build the in-browser playground's files into docs/assets/playground/ (served with the site).

  vendor/pyodide/   Pyodide's runtime from the npm registry (pinned version, tarball sha256)
  wheels/           the engine's dependencies from PyPI (requirements*.txt, pip --require-hashes),
                    PyYAML repacked as a pure-Python wheel, and the project's own wheel
  manifest.json     what the Web Worker loads, in order
  sessions/         each docs page's "試す" files and command lines (playground/site.py; the MkDocs
                    hook rewrites them from the pages it builds, Zensical has no hooks)

Every wheel then gets the bytecode of its modules, and Pyodide's stdlib zip bytecode in place of
its sources, written by the browser's own interpreter (pyodide_node.mjs runs precompile.py in the
vendored Pyodide under Node), and the project's wheel
the JSON twins of its YAML data files (istio_notebook/package_data.py), so that the first run
neither compiles modules nor parses YAML catalogues with the pure-Python PyYAML.

Nothing is fetched when a reader opens the page: the worker loads these files from the site.
Downloads are cached in .cache/playground/ and skipped when their checksum still matches.
Usage: python tools/playground/assets.py [--out DIR] [--skip-project]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

from istio_notebook import package_data
from istio_notebook.playground import site

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CACHE = REPO / ".cache" / "playground"
PYODIDE_VERSION = "314.0.7"
PYODIDE_SHA256 = "66b7949e5a0cba2250b586d7e368bf12fb482800748d182c4618254b685ffaa0"
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
EPOCH = (1980, 1, 1, 0, 0, 0)  # zip entries' time: the same wheel bytes on every build
PLATFORM = ["--platform", "pyemscripten_2026_0_wasm32", "--python-version", "3.14", "--implementation", "cp", "--abi", "cp314"]
# Installed in this order: dependencies first, the project last.
WHEEL_ORDER = ("typing_extensions", "typing_inspection", "annotated_types", "pydantic_core", "pydantic", "PyYAML", "istio_notebook")


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
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.items()):
            archive.writestr(zipfile.ZipInfo(name, date_time=EPOCH), data, compress_type=zipfile.ZIP_DEFLATED)
    return wheel


def build_project_wheel(out: Path) -> None:
    for old in out.glob("istio_notebook-*.whl"):
        old.unlink()
    with tempfile.TemporaryDirectory() as build:
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", build, str(REPO)],
            check=True,
        )
        for wheel in Path(build).glob("istio_notebook-*.whl"):
            shutil.copy(wheel, out / wheel.name)


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}


def _write_zip(path: Path, members: dict[str, bytes]) -> None:
    """``path`` rewritten with ``members``, deflated, in name order, with a fixed time (same bytes each build)."""
    with zipfile.ZipFile(path, "w") as archive:
        for name in sorted(members):
            archive.writestr(zipfile.ZipInfo(name, date_time=EPOCH), members[name], compress_type=zipfile.ZIP_DEFLATED)


def add_to_wheel(wheel: Path, added: dict[str, bytes]) -> None:
    """Rewrite ``wheel`` with the files ``added`` (path in the wheel → bytes), listed in its RECORD."""
    members = _members(wheel)
    record = next(name for name in members if name.endswith(".dist-info/RECORD"))
    lines = [f"{name},sha256={_record_digest(data)},{len(data)}\n" for name, data in sorted(added.items())]
    members.update(added)
    members[record] += "".join(lines).encode()
    _write_zip(wheel, members)


def sources_to_bytecode(stdlib: Path, compiled: dict[str, bytes]) -> None:
    """Rewrite the stdlib zip with each ``name.pyc`` of ``compiled`` in place of ``name.py``."""
    members = _members(stdlib)
    for name in compiled:
        members.pop(name[:-1], None)
    _write_zip(stdlib, {**members, **compiled})


def _record_digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def add_json_twins(wheel: Path) -> None:
    """The JSON twin of each YAML data file of the project's package (istio_notebook.package_data)."""
    with zipfile.ZipFile(wheel) as archive:
        yamls = {n: archive.read(n).decode("utf-8") for n in archive.namelist() if n.startswith("istio_notebook/") and n.endswith(".yaml")}
    add_to_wheel(wheel, {name + package_data.TWIN_SUFFIX: package_data.twin(text).encode("utf-8") for name, text in yamls.items()})


def precompile(out: Path) -> None:
    """Bytecode into every wheel of ``out``/wheels and into Pyodide's stdlib (precompile.py says why and how)."""
    pyodide = out / "vendor" / "pyodide"
    archives = [*sorted((out / "wheels").glob("*.whl")), pyodide / "python_stdlib.zip"]
    run_in_pyodide(pyodide, out, HERE / "precompile.py", *(a.relative_to(out).as_posix() for a in archives))
    for archive in archives:
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


def write_manifest(out: Path) -> None:
    wheels = sorted((out / "wheels").glob("*.whl"), key=lambda w: WHEEL_ORDER.index(w.name.split("-")[0]))
    manifest = {"pyodide": "vendor/pyodide/", "pyodide_version": PYODIDE_VERSION, "wheels": [f"wheels/{w.name}" for w in wheels]}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


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
    wheels_out.mkdir(parents=True, exist_ok=True)
    cache = download_wheels()
    for wheel in cache.glob("*.whl"):
        shutil.copy(wheel, wheels_out / wheel.name)
    repack_pyyaml(next(cache.glob("pyyaml-*.tar.gz")), wheels_out)
    if not args.skip_project:
        build_project_wheel(wheels_out)
        add_json_twins(next(wheels_out.glob("istio_notebook-*.whl")))
        write_sessions(out)
    precompile(out)
    write_manifest(out)
    log(f"ready in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
