"""Backend ``cluster``: labs on an existing cluster, in a namespace of their own (issue 20, item 3).

No cluster runs here (and none was used to write this): a fake runner answers every command in
the shapes kubectl prints (``auth can-i`` prints ``yes``/``no``; ``get crd -o name`` prints
``customresourcedefinition.apiextensions.k8s.io/NAME`` per line) and records the plan; a fake
clock makes waits instant. The tests pin what may run, where, and that it is all taken down.
"""

from __future__ import annotations

import re

import pytest
import yaml

from labs_testkit import REPO, FakeClock, FakeRunner
from test_kind_backend import echo_output
from istio_notebook.labs.catalog import Catalog
from istio_notebook.labs.cluster import ClusterSettings, istio_version
from istio_notebook.labs.cluster_plan import LabRefused, plan_lab, run_namespace
from istio_notebook.labs.runner import Completed
from istio_notebook.labs.scenario import load_scenario
from istio_notebook.labs.session import run_on_cluster
from istio_notebook.labs.tools import PreflightError

CATALOG = Catalog.load(REPO)
CONTEXT = "prod-eu"
K = ("kubectl", "--context", CONTEXT, "--request-timeout=30s")
ISTIOD_IMAGE = "docker.io/istio/pilot:1.30.5-distroless"
VERSION_JSON = '{"clientVersion": {"gitVersion": "v1.34.1"}, "serverVersion": {"gitVersion": "v1.33.4"}}'


def crds(argv, _input) -> Completed:
    names = [a for a in argv[argv.index("crd") + 1:] if not a.startswith("-") and a != "name"]
    return Completed(argv, 0, "".join(f"customresourcedefinition.apiextensions.k8s.io/{n}\n" for n in names), "")


def healthy(runner: FakeRunner, *, image: str = ISTIOD_IMAGE) -> FakeRunner:
    return (runner.on(*K, "version", stdout=VERSION_JSON)
            .on(*K, "get", "deployment", "istiod", stdout=image)
            .on(*K, "get", "crd", answer=crds)
            .on(*K, "auth", "can-i", stdout="yes\n")
            .on(*K, "get", "pods", stdout="sleep-5fcd8fd6c8-8xtbz")
            .on("kubectl", "--context", CONTEXT, "exec", stdout=echo_output("reviews", "v1")))


def scenarios(*names: str):
    return [load_scenario(CATALOG.labs[n], CATALOG.fixtures_dir) for n in names]


def run(runner: FakeRunner, clock: FakeClock, *names: str, **settings):
    settings.setdefault("settle_timeout", 0)
    return run_on_cluster(scenarios(*names), ClusterSettings(context=CONTEXT, **settings), runner=runner, clock=clock)


def run_namespace_of(runner: FakeRunner) -> str:
    [created] = [i for argv, i in runner.calls if argv[4:6] == ("create", "-f")]
    return yaml.safe_load(created)["metadata"]["name"]


# ------------------------------------------------------------ what may run, and where


def test_a_lab_runs_in_its_own_namespace_and_only_there(runner: FakeRunner, clock: FakeClock) -> None:
    [report] = run(healthy(runner), clock, "request-routing")
    namespace = run_namespace_of(runner)
    assert namespace.startswith("inb-lab-request-routing-") and len(namespace) <= 63
    assert report.backend == "cluster" and len(report.checks) == 3
    for argv, input_ in runner.calls:
        assert argv[:3] == ("kubectl", "--context", CONTEXT)  # never the current context
        verb = argv[4] if argv[3].startswith("--request-timeout") else argv[3]
        if verb in ("apply", "exec", "wait", "logs"):
            assert argv[argv.index("-n") + 1] == namespace, argv
        if verb == "apply":
            assert all(doc["metadata"]["namespace"] == namespace for doc in yaml.safe_load_all(input_))
        if verb == "delete":
            assert argv[5:7] == ("namespace", namespace)
        assert verb in ("version", "get", "auth", "create", "apply", "wait", "exec", "logs", "delete"), argv


def test_command_plan_preflight_then_setup_then_checks_then_teardown(runner: FakeRunner, clock: FakeClock) -> None:
    run(healthy(runner), clock, "traffic-shifting")
    namespace = run_namespace_of(runner)
    steps = [" ".join(argv[3:7]) for argv, _ in runner.calls]
    first_create = steps.index("--request-timeout=30s create -f -")
    assert steps[:3] == ["--request-timeout=30s version -o json", "--request-timeout=30s get deployment istiod",
                         f"--request-timeout=30s get crd {'destinationrules.networking.istio.io'}"]
    assert all(s.startswith("--request-timeout=30s auth can-i") for s in steps[3:first_create])
    after = [" ".join(argv[3:]) for argv, _ in runner.calls[first_create:]]
    assert after[:5] == [
        "--request-timeout=30s create -f -",
        f"--request-timeout=30s apply -n {namespace} -f -",
        f"--request-timeout=30s wait --for=condition=Available deployment --all -n {namespace} --timeout=300s",
        f"--request-timeout=30s wait --for=condition=Ready pod --all -n {namespace} --timeout=300s",
        f"--request-timeout=30s apply -n {namespace} -f -",
    ]
    assert after[-1] == f"--request-timeout=30s delete namespace {namespace} --ignore-not-found --timeout=180s"
    assert any(a.startswith(f"exec -n {namespace} sleep-") for a in after)


def test_the_applied_workloads_are_the_echo_fixtures_moved_into_the_namespace(runner: FakeRunner, clock: FakeClock) -> None:
    run(healthy(runner), clock, "traffic-shifting")
    namespace = run_namespace_of(runner)
    [created, workloads, config] = [i for argv, i in runner.calls if argv[4] in ("create", "apply")]
    assert yaml.safe_load(created)["metadata"]["labels"]["istio-injection"] == "enabled"
    documents = list(yaml.safe_load_all(workloads))
    assert "Namespace" not in {d["kind"] for d in documents}
    outside = [d for d in documents if d["kind"] == "Deployment" and d["metadata"]["name"] == "outside-client"]
    assert outside[0]["spec"]["template"]["metadata"]["annotations"]["sidecar.istio.io/inject"] == "false"
    assert [(d["kind"], d["metadata"]["name"]) for d in yaml.safe_load_all(config)] == [
        ("DestinationRule", "reviews"), ("VirtualService", "reviews")]
    assert namespace in workloads and "namespace: default" not in workloads + config


def test_permissions_are_asked_for_every_verb_the_run_needs(runner: FakeRunner, clock: FakeClock) -> None:
    run(healthy(runner), clock, "mirroring")
    namespace = run_namespace_of(runner)
    asked = {tuple(argv[6:]) for argv, _ in runner.calls if argv[4:6] == ("auth", "can-i")}
    assert {("create", "namespaces"), ("delete", "namespaces"), ("create", "pods/exec", "-n", namespace),
            ("get", "pods/log", "-n", namespace), ("create", "virtualservices.networking.istio.io", "-n", namespace),
            ("delete", "deployments.apps", "-n", namespace)} <= asked


# ------------------------------------------------------------ refusals (nothing runs)


@pytest.mark.parametrize(("name", "allow", "reason"), [
    ("ingress-gateway", True, "would replace workloads of the mesh (Service istio-system/istio-ingressgateway)"),
    ("egress", True, "would replace workloads of the mesh"),
    ("mtls-authorization", False, "uses namespaces bar, foo"),
])
def test_labs_that_reach_beyond_one_namespace_are_refused_before_any_command(runner, clock, name, allow, reason) -> None:
    with pytest.raises(LabRefused, match=re.escape(reason)):
        run(healthy(runner), clock, "traffic-shifting", name, allow_mesh_config=allow)
    assert runner.calls == []


def write_lab(root, manifests: dict[str, str]) -> Catalog:
    (root / "docs" / "fixtures").mkdir(parents=True)
    (root / "docs" / "fixtures" / "bookinfo.yaml").write_text((REPO / "docs" / "fixtures" / "bookinfo.yaml").read_text())
    lab = root / "labs" / "mesh-policy"
    lab.mkdir(parents=True)
    (lab / "lab.yaml").write_text(f"title: t\ndescription: d\nfixtures: [bookinfo]\nmanifests: [{', '.join(manifests)}]\n")
    for name, text in manifests.items():
        (lab / name).write_text(text)
    (lab / "checks.markdown").write_text("```check\ncurl http://reviews:9080/\n→ reviews v1\n```\n")
    return Catalog.load(root)


MESH_PA = "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: istio-system}\nspec: {mtls: {mode: STRICT}}\n"


def test_mesh_wide_configuration_needs_allow_mesh_config_and_is_deleted_again(tmp_path, runner, clock) -> None:
    catalog = write_lab(tmp_path, {"pa.yaml": MESH_PA})
    [scenario] = [load_scenario(lab, catalog.fixtures_dir) for lab in catalog.labs.values()]
    with pytest.raises(LabRefused, match=r"changes mesh-wide configuration \(PeerAuthentication istio-system/default\); pass --allow-mesh-config"):
        plan_lab(scenario, "abc123")
    run_on_cluster([scenario], ClusterSettings(context=CONTEXT, allow_mesh_config=True, settle_timeout=0),
                   runner=healthy(runner), clock=clock)
    applied = [(argv[4:], i) for argv, i in runner.calls if argv[4] in ("apply", "delete")]
    mesh = [(a, i) for a, i in applied if "-n" not in a and "namespace" not in a]
    assert [a[0] for a, _ in mesh] == ["apply", "delete"]  # applied as written, then deleted
    assert all(yaml.safe_load(i)["metadata"]["namespace"] == "istio-system" for _, i in mesh)
    assert ("can-i", "create", "peerauthentications.security.istio.io", "-n", "istio-system") in {
        tuple(argv[5:]) for argv, _ in runner.calls if argv[4] == "auth"}


def test_a_spec_that_names_the_lab_namespace_is_refused(tmp_path) -> None:
    vs = ("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: reviews, namespace: default}\n"
          "spec:\n  hosts: [reviews]\n  http: [{route: [{destination: {host: reviews.default.svc.cluster.local}}]}]\n")
    catalog = write_lab(tmp_path, {"vs.yaml": vs})
    [scenario] = [load_scenario(lab, catalog.fixtures_dir) for lab in catalog.labs.values()]
    with pytest.raises(LabRefused, match="names namespace default in its spec"):
        plan_lab(scenario, "abc123")


# ------------------------------------------------------------ preflight


@pytest.mark.parametrize(("case", "message"), [
    ("no kubectl", "kubectl is not installed"),
    ("unreachable", "The connection to the server 10.0.0.1:6443 was refused"),
    ("no istio", 'deployments.apps "istiod" not found'),
    ("other istio", "the cluster runs Istio 1.28.2; the labs are written for Istio 1.30"),
    ("missing crd", "lacks the CRDs virtualservices.networking.istio.io"),
    ("forbidden", "may not: create namespaces; delete namespaces"),
])
def test_preflight_names_the_problem_before_anything_is_created(clock, case, message) -> None:
    runner = healthy(FakeRunner(tools=() if case == "no kubectl" else ("kubectl",)))
    if case == "unreachable":
        runner.on(*K, "version", returncode=1, stderr="The connection to the server 10.0.0.1:6443 was refused - did you specify the right host or port?\n")
    elif case == "no istio":
        runner.on(*K, "get", "deployment", "istiod", returncode=1, stderr='Error from server (NotFound): deployments.apps "istiod" not found\n')
    elif case == "other istio":
        runner.on(*K, "get", "deployment", "istiod", stdout="docker.io/istio/pilot:1.28.2")
    elif case == "missing crd":
        runner.on(*K, "get", "crd", answer=lambda argv, i: Completed(argv, 1, crds(argv, i).stdout.replace(
            "customresourcedefinition.apiextensions.k8s.io/virtualservices.networking.istio.io\n", ""),
            'Error from server (NotFound): customresourcedefinitions.apiextensions.k8s.io "virtualservices.networking.istio.io" not found'))
    elif case == "forbidden":
        runner.on(*K, "auth", "can-i", "create", "namespaces", stdout="no\n", returncode=1)
        runner.on(*K, "auth", "can-i", "delete", "namespaces", stdout="no\n", returncode=1)
    with pytest.raises(PreflightError, match=message) as error:
        run(runner, clock, "request-routing")
    assert "\n" not in str(error.value)
    assert not any(argv[4] in ("create", "apply", "delete") for argv, _ in runner.calls if len(argv) > 4)


def test_istio_version_from_the_istiod_image() -> None:
    assert istio_version("docker.io/istio/pilot:1.30.5") == (1, 30, 5)
    assert istio_version("gcr.io/istio-release/pilot:1.30.0-distroless") == (1, 30, 0)
    assert istio_version("localhost:5000/pilot:latest") is None


# ------------------------------------------------------------ teardown


def test_a_failing_apply_is_a_lab_error_and_the_namespace_is_deleted(runner: FakeRunner, clock: FakeClock) -> None:
    healthy(runner).on(*K, "apply", returncode=1, stderr='Error from server (Forbidden): admission webhook "validation.istio.io" denied the request')
    [report] = run(runner, clock, "mirroring")
    assert not report.passed and "validation.istio.io" in report.errors[0]
    assert runner.calls[-1][0][4:6] == ("delete", "namespace")


def test_ctrl_c_deletes_the_namespace_and_is_passed_on(runner: FakeRunner, clock: FakeClock) -> None:
    def interrupted(argv, _input):
        raise KeyboardInterrupt

    healthy(runner).on("kubectl", "--context", CONTEXT, "exec", answer=interrupted)
    with pytest.raises(KeyboardInterrupt):
        run(runner, clock, "traffic-shifting")
    assert runner.calls[-1][0][4:7] == ("delete", "namespace", run_namespace_of(runner))


def test_a_wait_that_runs_out_fails_the_lab_and_still_tears_down(runner: FakeRunner, clock: FakeClock) -> None:
    healthy(runner).on(*K, "wait", returncode=1, stderr="error: timed out waiting for the condition on deployments/reviews-v1")
    [report] = run(runner, clock, "request-routing")
    assert "timed out waiting for the condition" in report.errors[0] and report.checks == []
    assert runner.calls[-1][0][4:6] == ("delete", "namespace")


def test_keep_leaves_a_failed_labs_namespace(runner: FakeRunner, clock: FakeClock) -> None:
    healthy(runner).on("kubectl", "--context", CONTEXT, "exec", stdout=echo_output("reviews", "v3"))
    [report] = run(runner, clock, "request-routing", keep=True)
    assert not report.passed
    assert not any(argv[4] == "delete" for argv, _ in runner.calls if len(argv) > 4)


def test_run_namespace_names_are_dns_labels() -> None:
    assert run_namespace("traffic-shifting", "a1b2c3") == "inb-lab-traffic-shifting-a1b2c3"
    long = run_namespace("x" * 80, "a1b2c3")
    assert len(long) == 63 and long.endswith("-a1b2c3")


def test_the_cli_needs_an_explicit_context(capsys) -> None:
    from istio_notebook.cli import main

    assert main(["lab", "--root", str(REPO), "run", "request-routing", "--backend", "cluster"]) == 2
    assert "--backend cluster needs --kube-context NAME" in capsys.readouterr().err
