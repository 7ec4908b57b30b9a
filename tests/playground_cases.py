"""Inputs and the command-line oracle shared by the playground's tests (tests/playground/ in
CPython, tests/browser/test_playground*.py in Chromium): both compare with `istio-notebook` itself."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BOOKINFO = (REPO / "docs" / "fixtures" / "bookinfo.yaml").read_text(encoding="utf-8")
# jason → reviews v2, everyone else → v1.
JASON = """apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts: [reviews]
  http:
  - match:
    - headers:
        end-user:
          exact: jason
    route:
    - destination: {host: reviews, subset: v2}
  - route:
    - destination: {host: reviews, subset: v1}
"""
# The same VirtualService bound to a Gateway that does not exist: IST0101 at line 7.
JASON_MISSING_GATEWAY = JASON.replace("  hosts: [reviews]\n", "  hosts: [reviews]\n  gateways: [missing-gateway]\n")


def cli(workdir: Path, argv: list[str], files: dict[str, str]) -> subprocess.CompletedProcess:
    """`istio-notebook ARGV` run in ``workdir`` holding ``files`` (the oracle)."""
    for name, text in files.items():
        path = workdir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "istio_notebook", *argv], cwd=workdir, capture_output=True, text=True, check=False)
