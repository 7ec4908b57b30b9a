"""The Gateway API lab on a cluster: CRDs at the pinned version, the wait for the deployed gateway, its Service.

No cluster runs here (none was available to write this): fake runners answer kubectl in its
shapes and record the plan. What the plan follows: the Gateway API getting-started guide installs
the CRDs with ``kubectl apply --server-side -f .../releases/download/<version>/standard-install.yaml``;
Istio 1.30 builds against sigs.k8s.io/gateway-api v1.5.1 (go.mod); istio.io's Gateway API tasks
wait with ``kubectl wait --for=condition=programmed`` because istiod deploys the gateway's
Deployment and Service (``<gateway>-istio``, gatewaycommon GetDefaultName) asynchronously.
"""

from __future__ import annotations

import dataclasses
import re

import pytest

from labs_testkit import FakeClock, FakeRunner
from test_cluster_backend import CONTEXT as CLUSTER_CONTEXT, healthy, run, run_namespace_of
from test_kind_backend import CATALOG, CONTEXT, backend, echo_output, fresh_machine, our_cluster
from istio_notebook.examples.model import Request
from istio_notebook.labs import pins
from istio_notebook.labs.kind import NotRunnable, client_for
from istio_notebook.labs.scenario import load_scenario

SCENARIO = load_scenario(CATALOG.labs["gateway-api"], CATALOG.fixtures_dir)
WAIT = "wait --for=condition=Programmed gateways.gateway.networking.k8s.io/httpbin-gateway"
TARGET = "httpbin-gateway-istio.default.svc.cluster.local:80"


def test_the_pin_is_the_gateway_api_release_istio_builds_against() -> None:
    assert pins.GATEWAY_API_VERSION == "v1.5.1"
    assert pins.GATEWAY_API_CRDS_URL == (
        "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/standard-install.yaml")


def test_up_installs_the_pinned_crds_server_side_before_istio(runner: FakeRunner, clock: FakeClock) -> None:
    fresh_machine(runner)
    backend(runner, clock).up([])
    commands = runner.commands()
    crds = commands.index(f"kubectl --context {CONTEXT} apply --server-side -f {pins.GATEWAY_API_CRDS_URL}")
    istio = next(i for i, c in enumerate(commands) if c.startswith("istioctl install"))
    create = next(i for i, c in enumerate(commands) if c.startswith("kind create cluster"))
    assert create < crds < istio


def test_a_crd_install_that_fails_deletes_the_cluster_it_created(runner: FakeRunner, clock: FakeClock) -> None:
    fresh_machine(runner)
    runner.on("kubectl", "--context", CONTEXT, "apply", "--server-side", returncode=1, stderr="error: unable to read URL")
    with pytest.raises(Exception, match="unable to read URL"):
        backend(runner, clock).up([])
    assert runner.commands()[-1] == "kind delete cluster --name istio-notebook"
    assert not any(c.startswith("istioctl install") for c in runner.commands())


def test_checks_wait_for_the_programmed_gateway_then_go_to_its_service(runner: FakeRunner, clock: FakeClock) -> None:
    our_cluster(runner).on("kubectl", "--context", CONTEXT, "exec", stdout=echo_output("httpbin", "v1"))
    backend(runner, clock, settle_timeout=0).run_lab(SCENARIO)
    commands = runner.commands()
    last_apply = max(i for i, c in enumerate(commands) if " apply -f " in c and "httproutes.yaml" in c)
    wait = next(i for i, c in enumerate(commands) if WAIT in c)
    assert commands[wait].endswith("-n default --timeout=300s")
    execs = [i for i, c in enumerate(commands) if " exec " in c]
    assert last_apply < wait < execs[0]
    assert len(execs) == len(SCENARIO.checks)
    assert all(re.search(rf"--connect-to [a-z.]+\.example\.(com|org):80:{re.escape(TARGET)} ", commands[i]) for i in execs)
    assert all(" exec -n outside " in commands[i] for i in execs)  # the client without a sidecar


def test_a_gateway_that_is_never_programmed_is_a_lab_error_and_the_lab_is_removed(runner: FakeRunner, clock: FakeClock) -> None:
    our_cluster(runner).on("kubectl", "--context", CONTEXT, "wait", "--for=condition=Programmed", returncode=1,
                           stderr="error: timed out waiting for the condition on gateways/httpbin-gateway")
    report = backend(runner, clock, settle_timeout=0).run_lab(SCENARIO)
    assert any("timed out waiting for the condition on gateways/httpbin-gateway" in e for e in report.errors)
    assert report.checks == []
    deletes = [c.rsplit(" ", 1)[1] for c in runner.commands() if " delete --ignore-not-found -f " in c and not c.endswith("-f -")]
    assert deletes == [str(m) for m in reversed(SCENARIO.lab.manifests)]


def test_a_url_on_a_port_no_listener_has_cannot_be_sent() -> None:
    check = SCENARIO.checks[0]
    moved = dataclasses.replace(check, request=Request("GET", "http://httpbin.example.com:8080/status/200", []))
    with pytest.raises(NotRunnable, match="no listener on port 8080"):
        client_for(moved, SCENARIO.mesh, SCENARIO.lab.client)


def test_on_an_existing_cluster_the_wait_and_the_service_are_in_the_run_namespace(runner: FakeRunner, clock: FakeClock) -> None:
    healthy(runner).on("kubectl", "--context", CLUSTER_CONTEXT, "exec", stdout=echo_output("httpbin", "v1"))
    run(runner, clock, "gateway-api")
    namespace = run_namespace_of(runner)
    commands = runner.commands()
    assert any(WAIT in c and f"-n {namespace} " in c for c in commands)
    execs = [c for c in commands if " exec " in c]
    assert execs and all(f"httpbin-gateway-istio.{namespace}.svc.cluster.local:80" in c for c in execs)
