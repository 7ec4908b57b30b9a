"""Signals (issue 13, point 5): SIGINT, SIGTERM, SIGHUP and SIGKILL leave no process and no temp entry.

A real `route --backend envoy` (and `lab run --backend envoy`, and `mkdocs build` with the Envoy
backend) runs in a subprocess with its own $TMPDIR; once its Envoy work
directory and its certificate directory (CA and workload private keys) exist, the test sends a
real signal. The command must exit with 128 + the signal, print one line, leave $TMPDIR empty and
leave no process of its Envoy's process group alive. A second SIGINT right after the first must
not interrupt the cleanup (no atexit traceback, still a non-zero exit, still nothing left).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from istio_notebook.envoy.binary import envoy_available

pytestmark = [pytest.mark.envoy, pytest.mark.skipif(not envoy_available(), reason="no Envoy binary")]

# Bookinfo's reviews with subsets; in-mesh traffic is Istio mutual TLS: the replay makes a CA and
# workload certificates (private keys) for it.
MESH = Path(__file__).resolve().parent.parent / "envoy" / "fixtures" / "reviews.yaml"


ROUTE = ["route", str(MESH), "--from", "default/app=productpage", "--request", "GET http://reviews:9080/",
         "-H", "x-echo-delay-ms: 25000", "--backend", "envoy"]
# The lab's first checks wait on its 7 s fault delay for jason: Envoy is up and a request in flight.
LAB = ["lab", "run", "fault-injection", "--backend", "envoy"]


def start(tmp_path: Path, argv: list[str] = ROUTE, certs: bool = True,
          module: str = "istio_notebook") -> tuple[subprocess.Popen, Path]:
    """``python -m module argv`` running in its own $TMPDIR, once its Envoy is up (and, with
    ``certs``, its certificate directory exists)."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", module, *argv],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "TMPDIR": str(temp), "ISTIO_NOTEBOOK_ENVOY_LOGS": ""},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        names = [p.name for p in temp.iterdir()]
        if any(n.startswith("istio-notebook-envoy-") for n in names) and (
                not certs or any(n.startswith("istio-notebook-certs-") for n in names)):
            envoy_log = next(temp.glob("istio-notebook-envoy-*/envoy.log"), None)
            if envoy_log is not None and (temp / envoy_log.parent.name / "admin-address").exists():
                time.sleep(1.0)  # the request is now waiting on the delayed upstream
                return process, temp
        if process.poll() is not None:
            pytest.fail(f"{argv[0]} ended before the signal: {process.communicate()}")
        time.sleep(0.05)
    process.kill()
    pytest.fail("Envoy did not start within 60 s")


def processes_using(directory: Path) -> set[int]:
    """Processes whose command line names ``directory`` (our Envoy: ``-c <workdir>/envoy.json``)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if str(directory) in (entry / "cmdline").read_bytes().decode(errors="replace"):
                    found.add(int(entry.name))
            except OSError:
                pass
    return found


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_ends_envoy_and_removes_every_temp_entry(tmp_path, sig):
    process, temp = start(tmp_path)
    assert processes_using(temp)  # Envoy is running
    process.send_signal(sig)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 128 + sig
    assert err.strip().splitlines() == [f"istio-notebook: interrupted ({signal.Signals(sig).name})"]
    assert list(temp.iterdir()) == []
    assert processes_using(temp) == set()


def test_sigkill_leaves_no_envoy_and_no_temp_entry(tmp_path):
    # SIGKILL cannot be caught: Envoy dies with its parent (PR_SET_PDEATHSIG), and each temporary
    # directory's watcher (envoy/tempdirs.py) removes it when the kernel tells it its parent died.
    process, temp = start(tmp_path)
    assert processes_using(temp)
    process.kill()
    process.communicate(timeout=30)
    deadline = time.monotonic() + 10
    while (list(temp.iterdir()) or processes_using(temp)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(temp.iterdir()) == []
    assert processes_using(temp) == set()


def test_a_second_ctrl_c_does_not_break_the_cleanup(tmp_path):
    process, temp = start(tmp_path)
    process.send_signal(signal.SIGINT)
    time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert "Traceback" not in err and err.strip().splitlines() == ["istio-notebook: interrupted (SIGINT)"]
    assert list(temp.iterdir()) == []
    assert processes_using(temp) == set()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_during_lab_run_on_envoy_leaves_nothing(tmp_path, sig):
    process, temp = start(tmp_path, LAB, certs=False)
    assert processes_using(temp)
    process.send_signal(sig)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 128 + sig
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == f"istio-notebook: interrupted ({signal.Signals(sig).name})"
    assert list(temp.iterdir()) == []
    assert processes_using(temp) == set()


# A one-page site whose check the Envoy backend answers, held by the echo server for 25 s.
SITE_YML = """\
site_name: signals
plugins: [istio-notebook]
markdown_extensions:
  - istio_notebook.markdown: {backend: envoy, cache_dir: ""}
"""
SITE_PAGE = """\
# signals

```yaml
{mesh}
```

```check
curl -H 'x-echo-delay-ms: 25000' http://reviews:9080/
→ reviews v1
```
"""


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_during_mkdocs_build_on_envoy_leaves_nothing(tmp_path, sig):
    site = tmp_path / "site"
    (site / "docs").mkdir(parents=True)
    (site / "mkdocs.yml").write_text(SITE_YML)
    (site / "docs" / "index.md").write_text(SITE_PAGE.format(mesh=MESH.read_text().strip()))
    argv = ["build", "-f", str(site / "mkdocs.yml"), "-d", str(site / "out")]
    process, temp = start(tmp_path, argv, module="mkdocs")
    assert processes_using(temp)
    process.send_signal(sig)
    _, err = process.communicate(timeout=30)
    assert process.returncode != 0  # MkDocs reports the interruption as "Aborted!" (exit 1)
    assert "Traceback" not in err
    assert list(temp.iterdir()) == []
    assert processes_using(temp) == set()
