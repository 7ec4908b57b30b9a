"""The kind backend around the cluster: command plans, guards, bounded waits, teardown.

No cluster runs here: a fake runner answers with captured outputs and records every command;
a fake clock makes the bounded waits instant.
"""

from __future__ import annotations

import json
import pytest
import yaml

from labs_testkit import REPO, FakeClock, FakeRunner, healthy_tools, sample
from istio_notebook.labs import pins
from istio_notebook.labs.catalog import Catalog
from istio_notebook.config import load_paths
from istio_notebook.labs.kind import (
    KindBackend,
    KindSettings,
    NotRunnable,
    RefusedCluster,
    client_for,
    istio_config_yaml,
)
from istio_notebook.labs.proxy_status import parse_proxy_status
from istio_notebook.labs.runner import Completed, CommandFailed, WaitTimeout, wait_until
from istio_notebook.labs.scenario import load_scenario
from istio_notebook.labs.session import kind_workloads, run_labs

CATALOG = Catalog.load(REPO)
CONTEXT = f"kind-{pins.CLUSTER_NAME}"
MARKED_NODE = "node/istio-notebook-control-plane\n"


def backend(runner: FakeRunner, clock: FakeClock, **settings) -> KindBackend:
    return KindBackend(runner, clock, KindSettings(kind_dir=REPO / "labs" / "kind", **settings))


def our_cluster(runner: FakeRunner) -> FakeRunner:
    """A machine where `lab up` already ran: the cluster exists and carries the marker label."""
    return (
        healthy_tools(runner)
        .on("kind", "get", "clusters", stdout="istio-notebook\n")
        .on("kubectl", "--context", CONTEXT, "get", "nodes", stdout=MARKED_NODE)
        .on("kubectl", "--context", CONTEXT, "get", "pods", stdout="sleep-5fcd8fd6c8-8xtbz")
        .on("istioctl", "proxy-status", stdout=sample("proxy-status.txt"))
    )


def fresh_machine(runner: FakeRunner) -> FakeRunner:
    """Tools installed, no cluster yet; `kind create` makes one (with the marker label), `kind delete` removes it."""
    state = {"exists": False}

    def flip(exists: bool):
        return lambda argv, _input: (state.update(exists=exists), Completed(argv, 0, "", ""))[1]

    healthy_tools(runner).on("kind", "get", "clusters", answer=lambda a, i: Completed(a, 0, "istio-notebook\n" if state["exists"] else "", ""))
    runner.on("kind", "create", answer=flip(True)).on("kind", "delete", answer=flip(False))
    runner.on("kubectl", "--context", CONTEXT, "get", "nodes", stdout=MARKED_NODE)
    runner.on("kubectl", "--context", CONTEXT, "get", "pods", stdout="sleep-5fcd8fd6c8-8xtbz")
    runner.state = state
    return runner


def all_connected(workloads: list[dict]) -> str:
    """`istioctl proxy-status` (1.30 format, as data/proxy-status.txt) listing a pod of every deployment."""
    rows = [
        f"{d['metadata']['name']}-5fcd8fd6c8-8xtbz.{d['metadata']['namespace']}     Kubernetes     "
        "istiod-7dc9684c55-qkp9r     1.30.5      4 (CDS,LDS,EDS,RDS)"
        for d in workloads if d["kind"] == "Deployment"
    ]
    return "\n".join([sample("proxy-status.txt").splitlines()[0], *rows]) + "\n"


def echo_output(service: str, version: str, status: int = 200) -> str:
    """One curl transfer whose body is the echo server's answer (format of data/curl-echo.txt)."""
    body, _, rest = sample("curl-echo.txt").partition("\n@@INB-CURL@@")
    echo = json.loads(body)
    echo["env"].update(SERVICE_NAME=service, SERVICE_VERSION=version)
    return json.dumps(echo) + "\n@@INB-CURL@@" + rest.replace('"http_code": 200', f'"http_code": {status}')


# ------------------------------------------------------------ guards


def test_an_unmarked_cluster_with_our_name_is_refused_and_left_untouched(runner: FakeRunner, clock: FakeClock) -> None:
    healthy_tools(runner).on("kind", "get", "clusters", stdout="istio-notebook\nother\n")
    runner.on("kubectl", "--context", CONTEXT, "get", "nodes", stdout="")  # no node carries our label
    kind = backend(runner, clock)
    with pytest.raises(RefusedCluster, match="not a cluster created by istio-notebook"):
        kind.down()
    with pytest.raises(RefusedCluster):
        kind.up([])
    touched = [c for c in runner.commands() if " delete " in f" {c} " or " apply " in f" {c} " or " install " in f" {c} "]
    assert touched == []


def test_every_kubectl_and_istioctl_command_names_our_context(runner: FakeRunner, clock: FakeClock) -> None:
    our_cluster(runner).on("kubectl", "--context", CONTEXT, "exec", stdout=echo_output("reviews", "v2"))
    scenario = load_scenario(CATALOG.labs["request-routing"], CATALOG.fixtures_dir)
    backend(runner, clock).run_lab(scenario)
    for argv, _ in runner.calls:
        if argv[0] in ("kubectl", "istioctl") and argv[1:2] != ("version",):
            assert "--context" in argv and argv[argv.index("--context") + 1] == CONTEXT, argv


def test_run_without_a_cluster_creates_one_and_deletes_it_afterwards(runner: FakeRunner, clock: FakeClock) -> None:
    fresh_machine(runner).on("kubectl", "--context", CONTEXT, "exec", stdout=echo_output("reviews", "v2"))
    runner.on("istioctl", "proxy-status", stdout=all_connected(kind_workloads(CATALOG)))
    run_labs(CATALOG, [CATALOG.labs["request-routing"]], "kind", root=REPO, runner=runner, clock=clock)
    commands = runner.commands()
    create_at = next(i for i, c in enumerate(commands) if c.startswith("kind create cluster"))
    delete_at = next(i for i, c in enumerate(commands) if c.startswith("kind delete cluster"))
    assert create_at < delete_at and runner.state["exists"] is False
    assert f"--config {REPO / 'labs/kind/cluster.yaml'}" in commands[create_at]


def test_run_with_keep_leaves_the_cluster_it_created(runner: FakeRunner, clock: FakeClock) -> None:
    fresh_machine(runner).on("kubectl", "--context", CONTEXT, "exec", stdout=echo_output("reviews", "v2"))
    runner.on("istioctl", "proxy-status", stdout=all_connected(kind_workloads(CATALOG)))
    run_labs(CATALOG, [CATALOG.labs["request-routing"]], "kind", root=REPO, runner=runner, clock=clock, keep=True)
    assert runner.state["exists"] is True


# ------------------------------------------------------------ lab up / down


def test_up_plan_creates_installs_deploys_and_waits_for_sidecars(runner: FakeRunner, clock: FakeClock) -> None:
    fresh_machine(runner)
    workloads = kind_workloads(CATALOG)
    runner.on("istioctl", "proxy-status", stdout=all_connected(workloads))
    assert backend(runner, clock).up(workloads) is True
    commands = runner.commands()
    order = [
        "docker version", "kind version", "kubectl version", "istioctl version",
        "kind create cluster --name istio-notebook",
        f"istioctl install --context {CONTEXT} -f {REPO / 'labs/kind/istio.yaml'} -y",
        f"kubectl --context {CONTEXT} wait --for=condition=Available deployment --all -n istio-system",
        f"kubectl --context {CONTEXT} apply -f -",
        "istioctl proxy-status",
    ]
    positions = [next(i for i, c in enumerate(commands) if c.startswith(step)) for step in order]
    assert positions == sorted(positions), commands
    applied = next(i for argv, i in runner.calls if argv[-3:] == ("apply", "-f", "-"))
    kinds = [d["kind"] for d in yaml.safe_load_all(applied)]
    assert kinds.index("Namespace") < kinds.index("Service") < kinds.index("Deployment")


def test_setup_failure_deletes_the_cluster_it_created(runner: FakeRunner, clock: FakeClock) -> None:
    fresh_machine(runner)
    runner.on("istioctl", "install", stderr="Error: failed to install manifests: context deadline exceeded", returncode=1)
    with pytest.raises(CommandFailed, match="context deadline exceeded"):
        backend(runner, clock).up([])
    assert runner.commands()[-1] == "kind delete cluster --name istio-notebook"


def test_setup_failure_with_keep_leaves_the_cluster(runner: FakeRunner, clock: FakeClock) -> None:
    fresh_machine(runner)
    runner.on("istioctl", "install", returncode=1, stderr="boom")
    with pytest.raises(CommandFailed):
        backend(runner, clock, keep=True).up([])
    assert not any(c.startswith("kind delete") for c in runner.commands())


def test_ctrl_c_during_setup_deletes_the_cluster(runner: FakeRunner, clock: FakeClock) -> None:
    def interrupted(argv, _input):
        raise KeyboardInterrupt

    fresh_machine(runner)
    runner.on("kubectl", "--context", CONTEXT, "wait", answer=interrupted)
    with pytest.raises(KeyboardInterrupt):
        backend(runner, clock).up([])
    assert runner.commands()[-1] == "kind delete cluster --name istio-notebook"


def test_preflight_failure_stops_before_any_cluster_command(clock: FakeClock) -> None:
    from istio_notebook.labs.tools import PreflightError

    runner = healthy_tools(FakeRunner(tools=("docker", "kubectl", "istioctl")))
    with pytest.raises(PreflightError, match="kind is not installed"):
        backend(runner, clock).up([])
    assert not any(c.startswith(("kind ", "kubectl --context")) for c in runner.commands())


# ------------------------------------------------------------ lab run


@pytest.mark.parametrize("name", sorted(CATALOG.labs))
def test_lab_plan_applies_in_order_sends_each_check_and_cleans_up(name: str, runner: FakeRunner, clock: FakeClock) -> None:
    def exec_(argv, _input):  # the tools preflight of connection checks (labs/connections.py), else curl's echo
        tools = argv[-1].startswith("command -v")
        return Completed(argv, 0, "OpenSSL 3.3.2 3 Sep 2024\n" if tools else echo_output("reviews", "v1"), "")

    our_cluster(runner).on("kubectl", "--context", CONTEXT, "exec", answer=exec_)
    scenario = load_scenario(CATALOG.labs[name], CATALOG.fixtures_dir)
    report = backend(runner, clock, settle_timeout=0).run_lab(scenario)
    commands = [c for c in runner.commands() if " -- sh -c command -v " not in c]
    applies = [c for c in commands if " apply -f " in c]
    manifest_applies = [c.rsplit(" ", 1)[1] for c in applies if not c.endswith("-f -")]
    assert manifest_applies == [str(m) for m in scenario.lab.manifests]  # in the lab's order
    deletes = [c.rsplit(" ", 1)[1] for c in commands if " delete --ignore-not-found -f " in c and not c.endswith("-f -")]
    assert deletes == [str(m) for m in reversed(scenario.lab.manifests)]
    assert commands.index(applies[-1]) < min(i for i, c in enumerate(commands) if " exec " in c) if any(" exec " in c for c in commands) else True
    sent = [c for c in commands if " exec " in c]
    assert len(report.checks) == len(scenario.checks)
    expected_clients, connection = [], []
    for check in scenario.checks:
        try:
            expected_clients.append(client_for(check, scenario.mesh, scenario.lab.client))
            connection.append(check.request.is_connection)
        except NotRunnable:
            pass
    assert len(sent) == len(expected_clients)  # one curl per runnable check (weighted ones repeat the URL inside)
    for command, client, is_connection in zip(sent, expected_clients, connection):
        assert f" exec -n {client.namespace} " in command
        if is_connection:  # nc / openssl in the pod's tools container, to the gateway's Service when via a gateway
            assert " -c tools -- sh -c for i in " in command
            assert (client.connect_to or "").rsplit(":", 2)[-2:][0] in command
            continue
        assert " -- curl -sS --max-time " in command
        assert (f"--connect-to {client.connect_to}" in command) == bool(client.connect_to)


def test_a_check_is_probed_until_the_config_takes_effect(runner: FakeRunner, clock: FakeClock) -> None:
    calls = []

    def config_arrives_late(argv, _input):
        # The proxy answers from the old config (v1) three times before jason's route to v2 arrives.
        calls.append(argv)
        return Completed(argv, 0, echo_output("reviews", "v1" if len(calls) <= 3 else "v2"), "")

    our_cluster(runner).on("kubectl", "--context", CONTEXT, "exec", answer=config_arrives_late)
    scenario = load_scenario(CATALOG.labs["request-routing"], CATALOG.fixtures_dir)
    first = backend(runner, clock).run_check(scenario.checks[0], scenario.mesh, scenario.lab.client)
    assert first.status == "passed" and len(clock.slept) == 3
    assert first.seconds == pytest.approx(sum(clock.slept))


def test_a_check_that_never_holds_fails_after_the_settle_timeout(runner: FakeRunner, clock: FakeClock) -> None:
    our_cluster(runner).on("kubectl", "--context", CONTEXT, "exec", stdout=echo_output("reviews", "v3"))
    scenario = load_scenario(CATALOG.labs["request-routing"], CATALOG.fixtures_dir)
    report = backend(runner, clock, settle_timeout=10, poll_interval=2).run_lab(scenario)
    first = report.checks[0]
    assert first.status == "failed"
    assert "expected reviews v2, got reviews v3" in first.differences
    assert 10 <= first.seconds <= 12


def test_ctrl_c_during_a_lab_removes_its_config(runner: FakeRunner, clock: FakeClock) -> None:
    def interrupted(argv, _input):
        raise KeyboardInterrupt

    our_cluster(runner).on("kubectl", "--context", CONTEXT, "exec", answer=interrupted)
    scenario = load_scenario(CATALOG.labs["traffic-shifting"], CATALOG.fixtures_dir)
    with pytest.raises(KeyboardInterrupt):
        backend(runner, clock).run_lab(scenario)
    deleted = [c for c in runner.commands() if " delete --ignore-not-found " in c]
    assert deleted == [f"kubectl --context {CONTEXT} delete --ignore-not-found -f {m}" for m in reversed(scenario.lab.manifests)]


def test_a_failing_apply_is_a_lab_error_and_still_cleans_up(runner: FakeRunner, clock: FakeClock) -> None:
    our_cluster(runner).on("kubectl", "--context", CONTEXT, "apply", returncode=1,
                           stderr='Error from server (BadRequest): admission webhook "validation.istio.io" denied the request')
    scenario = load_scenario(CATALOG.labs["mirroring"], CATALOG.fixtures_dir)
    report = backend(runner, clock).run_lab(scenario)
    assert not report.passed and "validation.istio.io" in report.errors[0]
    assert any(" delete --ignore-not-found " in c for c in runner.commands())


def test_keep_leaves_the_lab_config_applied(runner: FakeRunner, clock: FakeClock) -> None:
    our_cluster(runner).on("kubectl", "--context", CONTEXT, "exec", stdout=echo_output("httpbin", "v1"))
    scenario = load_scenario(CATALOG.labs["mirroring"], CATALOG.fixtures_dir)
    backend(runner, clock, keep=True, settle_timeout=0).run_lab(scenario)
    assert not any(" delete " in c for c in runner.commands())


# ------------------------------------------------------------ bounded waits and proxy-status


def test_wait_until_gives_up_at_the_deadline_with_the_last_observation(clock: FakeClock) -> None:
    calls = []

    def probe():
        calls.append(clock.monotonic())
        return False, f"attempt {len(calls)}"

    with pytest.raises(WaitTimeout, match=r"gave up waiting for istiod after 30s \(last: attempt 16\)"):
        wait_until("istiod", probe, clock=clock, timeout=30, interval=2)
    assert clock.now - 1000.0 == pytest.approx(30)
    assert max(clock.slept) <= 2


def test_wait_until_returns_as_soon_as_the_probe_holds(clock: FakeClock) -> None:
    answers = iter([(False, "no"), (False, "no"), ("ready", "yes")])
    assert wait_until("x", lambda: next(answers), clock=clock, timeout=60, interval=5) == "ready"
    assert clock.slept == [5, 5]


def test_waiting_for_sidecars_names_the_missing_proxies(runner: FakeRunner, clock: FakeClock) -> None:
    our_cluster(runner)
    workloads = [{"kind": "Deployment", "metadata": {"name": "ratings-v1", "namespace": "default"}}]
    with pytest.raises(WaitTimeout, match="missing proxies: ratings-v1.default"):
        backend(runner, clock, rollout_timeout=20).wait_for_proxies(workloads)


def test_proxy_status_both_formats() -> None:
    rows = parse_proxy_status(sample("proxy-status.txt"))
    assert [(r.pod, r.namespace, r.version) for r in rows][2:] == [
        ("reviews-v1-849f9bc5d6-l27s6", "default", "1.30.5"),
        ("sleep-5fcd8fd6c8-8xtbz", "default", "1.30.5"),
    ]
    old = parse_proxy_status(sample("proxy-status-old.txt"))
    assert [(r.pod, r.namespace, r.version) for r in old] == [
        ("details-v1-558b8b4b76-qzqsg", "default", "1.20.0"),
        ("istio-ingressgateway-7d6874b48f-qxhn5", "istio-system", "1.20.0"),
    ]
    assert parse_proxy_status("Error: no running Istio pods in \"istio-system\"\n") == []


# ------------------------------------------------------------ pins and cluster config


def test_cluster_config_pins_the_node_image_and_carries_the_marker() -> None:
    config = yaml.safe_load((REPO / "labs/kind/cluster.yaml").read_text(encoding="utf-8"))
    assert config["name"] == pins.CLUSTER_NAME
    (node,) = config["nodes"]
    assert node["image"] == pins.NODE_IMAGE and "@sha256:" in node["image"]
    assert node["labels"] == {pins.CLUSTER_MARKER_LABEL: pins.CLUSTER_MARKER_VALUE}


def test_images_are_pinned_by_digest() -> None:
    for image in (pins.NODE_IMAGE, pins.ECHO_IMAGE, pins.CURL_IMAGE):
        name, _, digest = image.partition("@sha256:")
        assert len(digest) == 64 and int(digest, 16) >= 0, image
    assert pins.ISTIO_VERSION.startswith("1.30.")
    assert pins.ISTIOCTL_URL.endswith(f"istioctl-{pins.ISTIO_VERSION}-linux-amd64.tar.gz")


def test_only_the_fixtures_istio_config_is_applied_per_lab() -> None:
    # Workloads are deployed once at `lab up`; a lab applies (and later deletes) only Gateways, VirtualServices...
    loaded = load_paths([REPO / "docs/fixtures/bookinfo.yaml", REPO / "docs/fixtures/bookinfo-gateway.yaml"])
    documents = list(yaml.safe_load_all(istio_config_yaml(loaded.resources)))
    assert sorted(d["kind"] for d in documents) == ["Gateway", "VirtualService"]


def test_mirror_copies_that_reach_the_logs_late_are_still_counted(runner: FakeRunner, clock: FakeClock) -> None:
    our_cluster(runner).on("kubectl", "--context", CONTEXT, "exec", stdout=echo_output("httpbin", "v1"))
    reads = []

    def logs(argv, _input):
        reads.append(argv)
        probe = next(c for c in runner.commands() if " exec " in c).split("x-inb-probe: ")[1].split()[0]
        return Completed(argv, 0, "" if len(reads) < 3 else f'[pod/httpbin-v2-1/httpbin] {{"x-inb-probe":"{probe}"}}\n', "")

    runner.on("kubectl", "--context", CONTEXT, "logs", answer=logs)
    scenario = load_scenario(CATALOG.labs["mirroring"], CATALOG.fixtures_dir)
    report = backend(runner, clock).run_lab(scenario)
    assert report.checks[0].status == "passed", report.checks[0]
    assert len(reads) == 3 and clock.slept == [1.0, 1.0]
    assert "-l app=httpbin,version=v2" in " ".join(reads[0])


@pytest.mark.parametrize("name", sorted(CATALOG.labs))
def test_every_check_has_a_curl_client_among_the_kind_workloads(name: str) -> None:
    # A check can only be sent on kind from a pod that runs curl: our sleep clients or the outside client.
    workloads = kind_workloads(CATALOG)
    clients = [
        (d["metadata"]["namespace"], d["spec"]["template"]["metadata"]["labels"])
        for d in workloads
        if d["kind"] == "Deployment" and d["spec"]["template"]["spec"]["containers"][0]["image"] == pins.CURL_IMAGE
    ]
    scenario = load_scenario(CATALOG.labs[name], CATALOG.fixtures_dir)
    for check in scenario.checks:
        client = client_for(check, scenario.mesh, scenario.lab.client)
        wanted = dict(pair.split("=", 1) for pair in client.selector.split(","))
        assert any(ns == client.namespace and all(labels.get(k) == v for k, v in wanted.items()) for ns, labels in clients), (
            f"{check}: no curl client {client.namespace}/{client.selector} is deployed on kind"
        )
        if scenario.lab.gateway and check.context.via:
            assert check.context.via == scenario.lab.gateway
