"""Precision: configurations that follow istio/istio's samples/ (1.30.3) produce no Error.

Each scenario is what a user applies together (the samples' own instructions: the app, the
ingress gateway of ``istioctl install``, the networking samples, injection on in ``default``).
The files are ours (tests/analysis/precision/, and the site's shared fixtures in docs/fixtures/),
written to follow the samples' resources; an Error on any of them is a false positive of our
validation or analyzers, since istio's samples apply cleanly on a real mesh. Warnings and Infos
are allowed (istioctl itself reports some on the samples, e.g. IST0118 for unnamed ports).
The site's own examples are pinned the same way by the docs collection (an example fails on an
unexpected Error).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from istio_notebook.analysis import analyze
from istio_notebook.config import Mesh, load_paths
from istio_notebook.diagnostics import Level

ROOT = Path(__file__).resolve().parents[2]
PRECISION = Path(__file__).parent / "precision"
FIXTURES = ROOT / "docs" / "fixtures"

INGRESS = FIXTURES / "istio-ingressgateway.yaml"
NAMESPACE = PRECISION / "namespace-default.yaml"

SCENARIOS = {
    "bookinfo with its gateway and routing samples": [
        NAMESPACE, INGRESS, FIXTURES / "bookinfo.yaml", FIXTURES / "bookinfo-gateway.yaml", PRECISION / "bookinfo-routing.yaml",
    ],
    "bookinfo with mutual TLS and authorization": [NAMESPACE, INGRESS, FIXTURES / "bookinfo.yaml", PRECISION / "bookinfo-mtls.yaml"],
    "httpbin through the ingress gateway, with sleep": [
        NAMESPACE, INGRESS, FIXTURES / "httpbin.yaml", FIXTURES / "sleep.yaml", PRECISION / "httpbin-gateway.yaml",
    ],
    "helloworld v1 and v2 behind the gateway": [NAMESPACE, INGRESS, PRECISION / "helloworld.yaml"],
    "tcp-echo through the gateway's TCP port": [NAMESPACE, INGRESS, PRECISION / "tcp-echo.yaml"],
    "curl and external services": [NAMESPACE, FIXTURES / "istio-egressgateway.yaml", PRECISION / "curl-and-external.yaml"],
    "every sample applied together": [
        NAMESPACE, INGRESS, FIXTURES / "istio-egressgateway.yaml", FIXTURES / "bookinfo.yaml", FIXTURES / "bookinfo-gateway.yaml",
        PRECISION / "bookinfo-routing.yaml", FIXTURES / "httpbin.yaml", FIXTURES / "sleep.yaml", PRECISION / "helloworld.yaml",
        PRECISION / "tcp-echo.yaml", PRECISION / "curl-and-external.yaml",
    ],
}


def diagnostics_of(files: list[Path]):
    loaded = load_paths(files)
    return loaded.diagnostics + analyze(Mesh(loaded.resources))


@pytest.mark.parametrize("files", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_istio_samples_produce_no_error(files):
    errors = [d for d in diagnostics_of(files) if d.level is Level.ERROR]
    assert errors == [], "\n".join(f"{d.position} [{d.code}] {d.origin}: {d.message}" for d in errors)


def test_every_precision_file_is_in_a_scenario():
    used = {f for files in SCENARIOS.values() for f in files}
    assert set(PRECISION.glob("*.yaml")) <= used


def test_the_precision_test_can_fail(tmp_path):
    # The same scenario with one mistake (a subset no DestinationRule defines) is an Error.
    routing = (PRECISION / "bookinfo-routing.yaml").read_text(encoding="utf-8")
    assert "subset: v2}" in routing
    broken = tmp_path / "bookinfo-routing.yaml"
    broken.write_text(routing.replace("subset: v2}", "subset: v4}"), encoding="utf-8")
    files = [broken if f.name == broken.name else f for f in SCENARIOS["bookinfo with its gateway and routing samples"]]
    errors = [d for d in diagnostics_of(files) if d.level is Level.ERROR]
    assert [(d.code, d.origin) for d in errors] == [("IST0101", "VirtualService default/reviews")]
