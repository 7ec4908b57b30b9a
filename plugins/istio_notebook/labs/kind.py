"""Backend ``kind``: a real kind cluster with a pinned Istio, driven through kubectl and istioctl.

``up`` creates the cluster from labs/kind/cluster.yaml, installs the pinned Gateway API CRDs and
Istio with the pinned istioctl, and deploys the echo workloads; ``run`` applies a lab's Istio config, sends each check as real
curl requests from a client pod (or through the ingress gateway), judges what came back, and
removes the lab's config again; ``down`` deletes the cluster.

Safety: the backend only ever talks to the context ``kind-<name>`` (passed explicitly to every
command, the current context is never used) and refuses a cluster whose node lacks our marker
label, so it cannot touch a cluster it did not create. Every wait is bounded; failures and
Ctrl-C tear down what was set up, unless ``keep``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from istio_notebook.config import Mesh, Resource
from istio_notebook.config.labels import label_map, selects, service_selects
from istio_notebook.examples.model import Check
from istio_notebook.labs import gateway_api, pins
from istio_notebook.labs import connections
from istio_notebook.labs.curl import MAX_TIME, Transfer, curl_argv, parse_transfers
from istio_notebook.labs.offline import check_report
from istio_notebook.labs.proxy_status import parse_proxy_status
from istio_notebook.labs.results import CheckReport, LabReport
from istio_notebook.labs.runner import Clock, CommandFailed, CommandRunner, must, wait_until, WaitTimeout
from istio_notebook.labs.scenario import LabScenario
from istio_notebook.labs.tools import preflight
from istio_notebook.labs.verdicts import FAIL, PASS, SKIP, Observation, extra_headers, judge, repeat_for, short_name, subset_version
from istio_notebook.labs.workloads import OUTSIDE_CLIENT, OUTSIDE_NAMESPACE, is_workload, to_yaml


LOG_WAIT = 5.0  # seconds to wait for a request to show up in an upstream's logs


class RefusedCluster(RuntimeError):
    """The cluster is not one this backend created; nothing was touched."""


class NotRunnable(ValueError):
    """A check cannot be sent on kind (e.g. it needs a JWT or a source IP); reported as skipped."""


@dataclass
class KindSettings:
    kind_dir: Path  # labs/kind: cluster.yaml, istio.yaml
    name: str = pins.CLUSTER_NAME
    keep: bool = False
    create_timeout: float = 600.0
    rollout_timeout: float = 300.0
    settle_timeout: float = 60.0  # how long a check may take to start holding after its config was applied
    poll_interval: float = 2.0

    @property
    def context(self) -> str:
        return f"kind-{self.name}"


@dataclass
class Client:
    namespace: str
    selector: str  # "k=v,k2=v2"
    connect_to: str | None = None  # gateway traffic: curl --connect-to HOST:PORT:SERVICE:PORT


def parse_selector(value: str) -> tuple[str, str]:
    """``"NS[/k=v,...]"`` → (namespace, selector); no labels means our ``sleep`` client there."""
    namespace, _, labels = value.partition("/")
    return namespace or "default", labels or "app=sleep"


def gateway_client(mesh: Mesh, via: str, url: str) -> Client:
    """The outside client, connecting to the Service of the gateway workload that Gateway ``via`` selects."""
    namespace, _, name = via.partition("/")
    gateway = mesh.get("Gateway", namespace, name)
    if gateway is None:
        try:
            target = gateway_api.connect_to(mesh, via, url)
        except LookupError as reason:
            raise NotRunnable(str(reason)) from None
        if target is None:
            raise NotRunnable(f"Gateway {via} is not in the lab")
        return Client(OUTSIDE_NAMESPACE, f"app={OUTSIDE_CLIENT}", connect_to=target)
    selector = label_map(gateway.get("spec", "selector"))
    # The Gateway selects pods; the Service to connect to is the one that selects those same pods.
    pod_labels = [label_map(d.get("spec", "template", "metadata", "labels")) for d in mesh.of_kind("Deployment")]
    workloads = [labels for labels in pod_labels if selects(selector, labels)] or [selector]
    service = next(
        (s for s in mesh.of_kind("Service") for labels in workloads
         if service_selects(label_map(s.get("spec", "selector")), labels)),
        None,
    )
    if service is None:
        raise NotRunnable(f"no Service selects the workload of Gateway {via}")
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    service_port = None
    for item in service.get("spec", "ports", default=[]) or []:
        if item.get("port") == port:
            service_port = port
        elif item.get("targetPort") == port and service_port is None:
            service_port = item.get("port")
    if service_port is None:
        raise NotRunnable(f"Service {service.key} has no port {port} for {url}")
    fqdn = f"{service.name}.{service.namespace}.svc.cluster.local"
    return Client(OUTSIDE_NAMESPACE, f"app={OUTSIDE_CLIENT}", connect_to=f"{parts.hostname}:{port}:{fqdn}:{service_port}")


def client_for(check: Check, mesh: Mesh, default_from: str) -> Client:
    context = check.context
    if check.request is None:
        raise NotRunnable("the check has no request")
    if context.via:
        return gateway_client(mesh, context.via, check.request.url)
    if context.claims or context.source_ip:
        raise NotRunnable("JWT claims and source IPs cannot be forged from a client pod")
    if context.mtls is False:
        return Client(OUTSIDE_NAMESPACE, f"app={OUTSIDE_CLIENT}")
    if context.source_principal:
        parts = context.source_principal.split("/")
        if len(parts) == 5 and parts[1] == "ns" and parts[3] == "sa" and parts[4] == "sleep":
            return Client(parts[2], "app=sleep")
        raise NotRunnable(f"no client pod runs as {context.source_principal} (clients run as service account sleep)")
    if context.source_namespace:
        return Client(context.source_namespace, "app=sleep")
    return Client(*parse_selector(context.from_ or default_from))


def client_namespaces(scenarios: list[LabScenario]) -> list[str]:
    """Namespaces where some check sends from our ``sleep`` client (deployed at ``lab up``)."""
    found: set[str] = set()
    for scenario in scenarios:
        mesh = scenario.mesh
        for check in scenario.checks:
            try:
                client = client_for(check, mesh, scenario.lab.client)
            except NotRunnable:
                continue
            if client.selector == "app=sleep":
                found.add(client.namespace)
    return sorted(found)


def istio_config_yaml(resources: list[Resource]) -> str:
    """The Istio configuration among ``resources`` (not workloads), as one YAML stream."""
    return yaml.safe_dump_all([r.body for r in resources if not is_workload(r)], sort_keys=False)


@dataclass
class KindBackend:
    runner: CommandRunner
    clock: Clock
    settings: KindSettings
    log: Callable[[str], None] = lambda message: None
    _pods: dict[tuple[str, str], str] = field(default_factory=dict)
    _tools: dict[tuple[str, str], str | None] = field(default_factory=dict)  # pod → why it cannot run nc/openssl

    # ------------------------------------------------------------ commands

    def _run(self, argv: list[str], *, timeout: float, input: str | None = None):
        return must(self.runner.run(argv, timeout=timeout, input=input))

    def kubectl(self, *args: str, timeout: float = 60.0, input: str | None = None):
        return self._run(["kubectl", "--context", self.settings.context, *args], timeout=timeout, input=input)

    # ------------------------------------------------------------ cluster

    def cluster_exists(self) -> bool:
        done = self._run(["kind", "get", "clusters"], timeout=60)
        return self.settings.name in done.stdout.split()

    def ensure_ours(self) -> None:
        """Refuse unless ``kind-<name>`` exists and its node carries our marker label."""
        if not self.cluster_exists():
            raise RefusedCluster(f"no kind cluster named {self.settings.name}; run `istio-notebook lab up` first")
        done = self.runner.run(
            ["kubectl", "--context", self.settings.context, "get", "nodes", "-l",
             f"{pins.CLUSTER_MARKER_LABEL}={pins.CLUSTER_MARKER_VALUE}", "-o", "name"],
            timeout=60,
        )
        if not done.ok or not done.stdout.strip():
            raise RefusedCluster(
                f"context {self.settings.context} is not a cluster created by istio-notebook "
                f"(no node labelled {pins.CLUSTER_MARKER_LABEL}); refusing to touch it"
            )

    def up(self, workloads: list[dict]) -> bool:
        """Create (or reuse) our cluster, install Istio, deploy ``workloads``. True when it created the cluster."""
        preflight(self.runner)
        created = False
        if self.cluster_exists():
            self.ensure_ours()
            self.log(f"reusing kind cluster {self.settings.name}")
        else:
            self.log(f"creating kind cluster {self.settings.name} ({pins.NODE_IMAGE.split('@')[0]})")
            self._run(
                ["kind", "create", "cluster", "--name", self.settings.name,
                 "--config", str(self.settings.kind_dir / "cluster.yaml"), "--wait", "120s"],
                timeout=self.settings.create_timeout,
            )
            created = True
        try:
            self.ensure_ours()
            self.log(f"installing the Gateway API CRDs {pins.GATEWAY_API_VERSION}")
            self._run(gateway_api.crds_argv(self.settings.context), timeout=120)
            self.log(f"installing Istio {pins.ISTIO_VERSION}")
            self._run(
                ["istioctl", "install", "--context", self.settings.context, "-f",
                 str(self.settings.kind_dir / "istio.yaml"), "-y"],
                timeout=self.settings.create_timeout,
            )
            self.rollout("istio-system")
            self.log("deploying the sample workloads")
            self.kubectl("apply", "-f", "-", input=to_yaml(workloads), timeout=120)
            for namespace in sorted({d["metadata"].get("namespace") for d in workloads if d["kind"] == "Deployment"}):
                self.rollout(namespace)
            self.wait_for_proxies(workloads)
        except BaseException:
            if created and not self.settings.keep:
                self.log("setup failed: deleting the cluster (use --keep to keep it)")
                self.down()
            raise
        return created

    def down(self) -> None:
        if not self.cluster_exists():
            self.log(f"no kind cluster named {self.settings.name}")
            return
        self.ensure_ours()
        self._run(["kind", "delete", "cluster", "--name", self.settings.name], timeout=300)

    def rollout(self, namespace: str) -> None:
        """Bounded wait until every Deployment of ``namespace`` is Available."""
        self.kubectl("wait", "--for=condition=Available", "deployment", "--all", "-n", namespace,
                     f"--timeout={int(self.settings.rollout_timeout)}s", timeout=self.settings.rollout_timeout + 30)

    def wait_for_proxies(self, workloads: list[dict]) -> None:
        """Bounded wait until every injected deployment shows up in ``istioctl proxy-status``."""
        wanted = {
            (d["metadata"]["name"], d["metadata"]["namespace"])
            for d in workloads
            if d["kind"] == "Deployment" and d["metadata"]["namespace"] != OUTSIDE_NAMESPACE
        }

        def probe():
            done = self.runner.run(["istioctl", "proxy-status", "--context", self.settings.context], timeout=60)
            connected = parse_proxy_status(done.stdout) if done.ok else []
            missing = sorted(f"{n}.{ns}" for n, ns in wanted if not any(p.namespace == ns and p.pod.startswith(n + "-") for p in connected))
            return (not missing), ("missing proxies: " + ", ".join(missing)) if missing else "all connected"

        wait_until("sidecars to connect to istiod", probe, clock=self.clock, timeout=self.settings.rollout_timeout,
                   interval=self.settings.poll_interval)

    # ------------------------------------------------------------ labs

    def apply_lab(self, scenario: LabScenario) -> None:
        config = istio_config_yaml(scenario.fixtures)
        if config.strip():
            self.kubectl("apply", "-f", "-", input=config)
        for manifest in scenario.lab.manifests:
            self.kubectl("apply", "-f", str(manifest))
        self.wait_for_gateways(scenario.mesh)

    def wait_for_gateways(self, mesh: Mesh) -> None:
        """Bounded wait until each Gateway API Gateway is Programmed (istiod deploys its proxy asynchronously)."""
        for gateway in gateway_api.deployed_gateways(mesh):
            args = gateway_api.programmed_wait_args(gateway, self.place(gateway.namespace), self.settings.rollout_timeout)
            self.kubectl(*args, timeout=self.settings.rollout_timeout + 30)

    def remove_lab(self, scenario: LabScenario) -> None:
        for manifest in reversed(scenario.lab.manifests):
            self.runner.run(["kubectl", "--context", self.settings.context, "delete", "--ignore-not-found", "-f", str(manifest)], timeout=120)
        config = istio_config_yaml(scenario.fixtures)
        if config.strip():
            self.runner.run(["kubectl", "--context", self.settings.context, "delete", "--ignore-not-found", "-f", "-"], timeout=120, input=config)

    def pod_for(self, client: Client) -> str:
        key = (client.namespace, client.selector)
        if key not in self._pods:
            done = self.kubectl("get", "pods", "-n", client.namespace, "-l", client.selector,
                                "--field-selector=status.phase=Running", "-o", "jsonpath={.items[0].metadata.name}")
            name = done.stdout.strip()
            if not name:
                raise NotRunnable(f"no running pod matches {client.namespace}/{client.selector}")
            self._pods[key] = name
        return self._pods[key]

    def upstream_hits(self, check: Check, mesh: Mesh, probe_id: str) -> dict[str, int]:
        """How many requests carrying ``probe_id`` the logs of mirror targets and retried upstreams show."""
        targets: list[tuple[str, str]] = []
        for e in check.expectations:
            if e.clause == "mirror":
                targets.append((e.args["target"][0], e.args["target"][1]))
            elif e.clause == "retries":
                targets += [(t[0], t[1]) for d in check.expectations if d.clause == "destination" for t in d.args["targets"]]
        hits: dict[str, int] = {}
        for host, subset in targets:
            labels = f"app={short_name(host)}"
            version = subset_version(mesh, host, subset) if subset else None
            if version:
                labels += f",version={version}"
            namespace = self.place(host.split(".")[1] if host.count(".") >= 1 else "default")
            argv = ["kubectl", "--context", self.settings.context, "logs", "-n", namespace, "-l", labels, "--tail=1000", "--prefix"]

            def count(argv=argv):
                done = self.runner.run(argv, timeout=60)
                seen = done.stdout.count(probe_id) if done.ok else 0
                return seen, f"{seen} requests with {probe_id} in the logs of {labels}"

            # Mirrored copies are fire-and-forget and logs lag a little: look again briefly before saying none came.
            try:
                hits[f"{host} {subset}".strip()] = wait_until(f"{probe_id} in the logs of {labels}", count, clock=self.clock,
                                                              timeout=LOG_WAIT, interval=1.0)
            except WaitTimeout:
                hits[f"{host} {subset}".strip()] = 0
        return hits

    def place(self, namespace: str) -> str:
        """Where the lab's ``namespace`` is on the cluster: the same on kind (labs/cluster.py maps it)."""
        return namespace

    def send(self, check: Check, mesh: Mesh, default_from: str) -> tuple[list[Transfer], str]:
        client = client_for(check, mesh, default_from)
        client = replace(client, namespace=self.place(client.namespace), connect_to=gateway_api.placed_target(client.connect_to, self.place))
        pod = self.pod_for(client)
        probe_id = f"inb-{uuid.uuid4().hex[:12]}"
        repeat = repeat_for(check.expectations)
        request = check.request
        if request.is_connection:
            return self.connect(request, client, pod, probe_id, repeat), probe_id
        argv = curl_argv(request, probe_id=probe_id, repeat=repeat,
                         extra_headers=extra_headers(check.expectations), connect_to=client.connect_to)
        done = self.runner.run(["kubectl", "--context", self.settings.context, "exec", "-n", client.namespace, pod, "--", *argv],
                               timeout=MAX_TIME * repeat + 30)
        transfers = parse_transfers(done.stdout)
        if not transfers:
            raise CommandFailed(done)
        return transfers, probe_id

    def connect(self, request, client: Client, pod: str, probe_id: str, repeat: int) -> list[Transfer]:
        """An nc / openssl check as the learner runs it, in the pod's tools container (labs/connections.py)."""
        shell = connections.Shell(self.runner, self.settings.context, client.namespace, pod, self._tools)
        try:
            transfers, done = shell.send(request, probe_id=probe_id, repeat=repeat, connect_to=client.connect_to)
        except connections.ToolsMissing as reason:
            raise NotRunnable(str(reason)) from None
        if not transfers:
            raise CommandFailed(done)
        return transfers

    def run_check(self, check: Check, mesh: Mesh, default_from: str) -> CheckReport:
        begun = self.clock.monotonic()
        deadline = begun + self.settings.settle_timeout
        while True:
            try:
                transfers, probe_id = self.send(check, mesh, default_from)
            except NotRunnable as reason:
                return check_report(check, "skipped", self.clock.monotonic() - begun, notes=[str(reason)])
            except CommandFailed as error:
                return check_report(check, "error", self.clock.monotonic() - begun, [str(error)])
            needs_logs = any(e.clause in ("mirror", "retries") for e in check.expectations)
            observation = Observation(transfers, self.upstream_hits(check, mesh, probe_id) if needs_logs else {})
            verdicts = [(e, *judge(e, observation, mesh)) for e in check.expectations]
            failed = [f"expected {e.text}, got {actual}" for e, status, actual in verdicts if status == FAIL]
            notes = [f"{e.text}: {actual}" for e, status, actual in verdicts if status == SKIP]
            if not failed or self.clock.monotonic() >= deadline:
                status = "failed" if failed else ("passed" if any(s == PASS for _, s, _ in verdicts) else "skipped")
                return check_report(check, status, self.clock.monotonic() - begun, failed, notes)
            # Config may still be on its way to the proxies: probe again until it holds or time runs out.
            self.clock.sleep(self.settings.poll_interval)

    def run_lab(self, scenario: LabScenario, on_check: Callable[[CheckReport], None] = lambda r: None) -> LabReport:
        lab = scenario.lab
        report = LabReport(name=lab.name, title=lab.title, backend="kind")
        started = self.clock.monotonic()
        report.errors = [str(d) for d in scenario.errors]
        if report.errors:
            return report
        mesh = scenario.mesh
        try:
            self.log(f"applying {lab.name}")
            self.apply_lab(scenario)
            for check in scenario.checks:
                item = self.run_check(check, mesh, lab.client)
                report.checks.append(item)
                on_check(item)
        except (CommandFailed, WaitTimeout) as error:
            report.errors.append(str(error))
        finally:
            if not self.settings.keep:
                self.remove_lab(scenario)
            report.seconds = self.clock.monotonic() - started
        return report
