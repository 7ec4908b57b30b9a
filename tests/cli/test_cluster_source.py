"""``--cluster`` / ``--kube-context``: the read-only cluster source (issue 20, item 2).

No cluster runs here: a fake runner (tests/labs/labs_testkit.py) answers with recorded kubectl
output (tests/cli/data/, shapes as kubectl prints them) and records every command, so the tests
pin exactly which commands run: ``config current-context``, ``api-resources`` and ``get`` only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "labs"))
from labs_testkit import FakeRunner  # noqa: E402

from istio_notebook.cli import inputs, main  # noqa: E402
from istio_notebook.cli.cluster_source import resource_name  # noqa: E402
from istio_notebook.config.kinds import MODELLED  # noqa: E402
from istio_notebook.labs.runner import Completed  # noqa: E402

DATA = Path(__file__).parent / "data"
API_RESOURCES = (DATA / "kubectl-api-resources.txt").read_text()
GET_ALL = (DATA / "kubectl-get-all.json").read_text()
SERVED_AND_MODELLED = [resource_name(k) for k in MODELLED if resource_name(k) in API_RESOURCES.split()]
GET = ("get", ",".join(SERVED_AND_MODELLED), "--all-namespaces", "-o", "json")


def cluster(runner: FakeRunner, context: str = "kind-prod") -> FakeRunner:
    k = ("kubectl", "--context", context, "--request-timeout=30s")
    return (runner.on("kubectl", "config", "current-context", stdout=f"{context}\n")
            .on(*k, "api-resources", stdout=API_RESOURCES)
            .on(*k, "get", stdout=GET_ALL))


@pytest.fixture
def runner(monkeypatch) -> FakeRunner:
    fake = FakeRunner(tools=("kubectl",))
    monkeypatch.setattr(inputs, "cluster_runner", lambda: fake)
    return fake


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_resource_names_are_kubectls() -> None:
    names = {resource_name(k) for k in MODELLED}
    # Irregular plurals as the CRDs name them (istio/istio manifests/charts/base/files/crd-all.gen.yaml).
    assert {"serviceentries.networking.istio.io", "authorizationpolicies.security.istio.io",
            "telemetries.telemetry.istio.io", "services", "namespaces", "deployments.apps"} <= names
    # Every other name is one the recorded cluster serves, or a CRD it does not have installed
    # (Gateway API's CRD names as kubernetes-sigs/gateway-api config/crd names them).
    # TrafficExtension is new in Istio 1.30 (crd-all.gen.yaml: trafficextensions.extensions.istio.io);
    # the recorded cluster predates it.
    not_installed = {"istiooperators.install.istio.io", "trafficextensions.extensions.istio.io"} | {
        f"{plural}.gateway.networking.k8s.io"
        for plural in ("gatewayclasses", "gateways", "httproutes", "grpcroutes", "tlsroutes", "tcproutes", "referencegrants")}
    assert names <= set(API_RESOURCES.split()) | not_installed


def test_check_cluster_runs_exactly_the_read_only_commands(runner, capsys) -> None:
    cluster(runner)
    run(capsys, "check", "--cluster")
    k = ("kubectl", "--context", "kind-prod", "--request-timeout=30s")
    assert [argv for argv, _ in runner.calls] == [
        ("kubectl", "config", "current-context"),
        (*k, "api-resources", "--verbs=list", "-o", "name"),
        (*k, *GET),
    ]
    # Served kinds we do not model (secrets, configmaps, ...) and modelled kinds not served are not asked for.
    assert "secrets" not in GET[1] and "configmaps" not in GET[1] and "istiooperators" not in GET[1]
    assert all(input_ is None for _, input_ in runner.calls)


def test_kube_context_names_the_context_and_skips_the_current_one(runner, capsys) -> None:
    cluster(runner, "staging")
    run(capsys, "check", "--kube-context", "staging")
    assert [argv[:5] for argv, _ in runner.calls] == [
        ("kubectl", "--context", "staging", "--request-timeout=30s", "api-resources"),
        ("kubectl", "--context", "staging", "--request-timeout=30s", "get"),
    ]


def test_a_cluster_finding_names_the_cluster_object_and_its_line_in_kubectl_get(runner, capsys) -> None:
    cluster(runner)
    code, out, _ = run(capsys, "check", "--cluster", "--format", "json")
    assert code == 1
    [found] = json.loads(out)["diagnostics"]
    assert (found["code"], found["origin"], found["file"]) == (
        "IST0101", "VirtualService default/reviews", "k8s://kind-prod/default/virtualservices.networking.istio.io/reviews")
    # The line and column are those of `kubectl get virtualservice reviews -n default -o json`.
    [vs] = [i for i in json.loads(GET_ALL)["items"] if i["kind"] == "VirtualService"]
    single = json.dumps(vs, indent=4, sort_keys=True).splitlines()
    assert single[found["line"] - 1][found["column"] - 1:] == '"subset": "v3"'


def test_route_answers_from_the_cluster(runner, capsys) -> None:
    cluster(runner)
    code, out, err = run(capsys, "route", "--cluster", "--request", "GET http://reviews:9080/", "--format", "json")
    assert (code, err) == (0, "")
    assert [d["cluster"] for d in json.loads(out)["destinations"]] == ["outbound|9080|v1|reviews.default.svc.cluster.local"]


def test_local_files_come_first_so_they_answer_what_if(runner, capsys, tmp_path) -> None:
    # A VirtualService about to be applied: it is defined before the cluster's, so it is the one used.
    cluster(runner)
    [vs] = [i for i in json.loads(GET_ALL)["items"] if i["kind"] == "VirtualService"]
    vs["spec"]["http"] = [{"route": [{"destination": {"host": "reviews", "subset": "v2"}}]}]
    (tmp_path / "vs.json").write_text(json.dumps(vs))
    code, out, _ = run(capsys, "route", str(tmp_path / "vs.json"), "--cluster", "--request", "GET http://reviews:9080/",
                       "--format", "json")
    assert code == 0
    assert [d["subset"] for d in json.loads(out)["destinations"]] == ["v2"]


FAILURES = {
    "context does not exist": (Completed((), 1, "", 'error: context "nope" does not exist\n'),
                               'cannot reach the cluster of context nope: error: context "nope" does not exist'),
    "server unreachable": (Completed((), 1, "", (
        'E1202 10:00:00.000000   4242 memcache.go:265] "Unhandled Error" err="couldn\'t get current server API group list: '
        'Get \\"https://127.0.0.1:6443/api?timeout=30s\\": dial tcp 127.0.0.1:6443: connect: connection refused"\n'
        "The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?\n")),
        "cannot reach the cluster of context nope: The connection to the server 127.0.0.1:6443 was refused"),
    "timed out": (Completed((), 124, "", "timed out after 120s"), "context nope: timed out after 120s"),
}


@pytest.mark.parametrize("case", sorted(FAILURES))
def test_an_unreachable_cluster_is_one_line_and_exit_two(runner, capsys, case) -> None:
    answer, message = FAILURES[case]
    runner.on("kubectl", "--context", "nope", "--request-timeout=30s", "api-resources",
              answer=lambda argv, _i: Completed(argv, answer.returncode, answer.stdout, answer.stderr))
    code, out, err = run(capsys, "check", "--kube-context", "nope")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err, err
    assert [argv[4] for argv, _ in runner.calls] == ["api-resources"]  # nothing else was tried


def test_missing_kubectl_and_missing_current_context_are_usage_errors(monkeypatch, capsys) -> None:
    none = FakeRunner(tools=())
    monkeypatch.setattr(inputs, "cluster_runner", lambda: none)
    code, _, err = run(capsys, "route", "--cluster", "--request", "GET http://reviews/")
    assert code == 2 and "kubectl is not installed" in err and none.calls == []
    unset = FakeRunner(tools=("kubectl",)).on("kubectl", "config", "current-context", returncode=1,
                                               stderr="error: current-context is not set\n")
    monkeypatch.setattr(inputs, "cluster_runner", lambda: unset)
    code, _, err = run(capsys, "check", "--cluster")
    assert code == 2 and "no current kubectl context (error: current-context is not set); use --kube-context NAME" in err


def test_partial_discovery_still_reads_what_is_served(runner, capsys) -> None:
    # An aggregated API that is down makes api-resources exit 1 but still list every other group.
    cluster(runner).on("kubectl", "--context", "kind-prod", "--request-timeout=30s", "api-resources", returncode=1,
                       stdout=API_RESOURCES,
                       stderr="error: unable to retrieve the complete list of server APIs: metrics.k8s.io/v1beta1: "
                              "the server is currently unable to handle the request\n")
    code, out, _ = run(capsys, "check", "--cluster")
    assert code == 1 and "IST0101" in out
    assert runner.calls[-1][0][4:] == GET
