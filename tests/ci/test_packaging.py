"""A packaged release (issue 20, item 5): ``python -m build`` makes an sdist and a wheel (from
that sdist, as build does by default) that install into a fresh virtualenv and run outside the
repository, with the docs and labs found only where ``--root`` says.

Offline: the build runs without isolation (setuptools and wheel from this virtualenv, the test
extra pins them), the wheel is installed with pip ``--no-index --no-deps``, and the fresh
virtualenv gets its dependencies (pyyaml, pydantic, ...) from this one's site-packages through a
``.pth`` line. The package itself comes only from the wheel: the test checks where it was imported from.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

from istio_notebook.diagnostics.catalogue import message

REPO = Path(__file__).resolve().parents[2]
VS = """\
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews.example.com]
  gateways: [missing]
  http: [{route: [{destination: {host: reviews}}]}]
"""


def run(argv: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    done = run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(REPO)], cwd=out)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return out


@pytest.fixture(scope="module")
def venv(dist: Path, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("venv")
    assert run([sys.executable, "-m", "venv", "--without-pip", str(root)], cwd=root).returncode == 0
    python = root / "bin" / "python"
    [wheel] = dist.glob("*.whl")
    done = run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-index", "--no-deps", "--quiet",
                str(wheel)], cwd=root)
    assert done.returncode == 0, done.stderr
    purelib = run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=root).stdout.strip()
    (Path(purelib) / "istio-notebook-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return root


@pytest.mark.slow
def test_build_makes_an_sdist_and_a_wheel_with_the_package_data(dist: Path) -> None:
    [sdist] = dist.glob("*.tar.gz")
    [wheel] = dist.glob("*.whl")
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
    assert any(n.endswith("plugins/istio_notebook/diagnostics/messages.yaml") for n in names)
    assert any(n.endswith("/pyproject.toml") for n in names) and any(n.endswith("/README.md") for n in names)
    wheel_names = zipfile.ZipFile(wheel).namelist()
    assert "istio_notebook/diagnostics/messages.yaml" in wheel_names
    assert not any(n.startswith(("tests/", "docs/", "labs/")) for n in wheel_names)
    entry_points = zipfile.ZipFile(wheel).read(next(n for n in wheel_names if n.endswith("entry_points.txt"))).decode()
    assert "istio-notebook = istio_notebook.cli:console" in entry_points
    assert "istio-notebook = istio_notebook.mkdocs.plugin:IstioNotebookPlugin" in entry_points


@pytest.mark.slow
def test_the_installed_command_runs_outside_the_repository(venv: Path, tmp_path: Path) -> None:
    where = run([str(venv / "bin" / "python"), "-c", "import istio_notebook; print(istio_notebook.__file__)"], cwd=tmp_path)
    assert where.stdout.strip().startswith(str(venv)), where.stdout + where.stderr
    (tmp_path / "mesh.yaml").write_text(VS)
    done = run([str(venv / "bin" / "istio-notebook"), "check", "mesh.yaml", "-n", "shop", "--lang", "en"], cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    # Each line ends with the catalogue's fix hint (the installed wheel carries messages.yaml).
    assert done.stdout == (
        'Error [IST0101] (VirtualService shop/reviews mesh.yaml:13) Referenced gateway not found: "missing"'
        f' (hint: {message("IST0101").hint("en")})\n'
        "Warning [IST0132] (VirtualService shop/reviews mesh.yaml:13) one or more host [reviews.example.com] "
        f'defined in VirtualService shop/reviews not found in Gateway shop/missing. (hint: {message("IST0132").hint("en")})\n'
    )


@pytest.mark.slow
def test_labs_are_found_only_through_root(venv: Path, tmp_path: Path) -> None:
    lost = run([str(venv / "bin" / "istio-notebook"), "lab", "list"], cwd=tmp_path)
    assert lost.returncode == 2 and "use --root" in lost.stderr and "Traceback" not in lost.stderr
    found = run([str(venv / "bin" / "istio-notebook"), "lab", "--root", str(REPO), "list", "--format", "json"], cwd=tmp_path)
    assert found.returncode == 0 and '"traffic-shifting"' in found.stdout
