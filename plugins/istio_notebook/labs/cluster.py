"""Backend ``cluster``: the labs on an existing Kubernetes cluster with Istio, in namespaces of their own.

``lab run NAME --backend cluster --kube-context CONTEXT`` plans every lab first (labs/cluster_plan.py:
refusals come before any command), then checks the cluster once (preflight: kubectl, the server,
Istio's version from the istiod image, the CRDs the labs use, ``kubectl auth can-i`` for every verb
the runs need), then for each lab: creates ``inb-lab-<name>-<random>``, applies the workloads there
and waits for them (Deployments Available, Pods Ready: the sidecar is ready once istiod has sent its
configuration), applies the lab's configuration, sends the checks from the client pods as the kind
backend does (its check machinery is reused, with the namespace mapped), and deletes the namespace
(and any mesh-wide configuration it applied) on success, failure and Ctrl-C. ``--keep`` keeps a
failed lab's namespace for a look.

Every command names ``--context`` explicitly (never the current context), every wait is bounded.
This backend was not run against a real cluster here (no cluster in this environment): the command
plans, refusals and teardown are unit-tested with a fake runner (tests/labs/test_cluster_backend.py).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from istio_notebook.labs import pins
from istio_notebook.labs.cluster_plan import MESH_NAMESPACE, RUN_PREFIX, LabPlan, plan_lab
from istio_notebook.labs.kind import KindBackend
from istio_notebook.labs.results import CheckReport, LabReport
from istio_notebook.labs.runner import CommandFailed, WaitTimeout
from istio_notebook.labs.scenario import LabScenario
from istio_notebook.labs.tools import PreflightError
from istio_notebook.labs.workloads import OUTSIDE_NAMESPACE, to_yaml

REQUEST_TIMEOUT = "--request-timeout=30s"
_ISTIOD_IMAGE = "jsonpath={.spec.template.spec.containers[0].image}"
# Verbs a run needs besides create/delete of what it applies (kubectl auth can-i VERB RESOURCE).
_RUN_VERBS = (("get", "pods"), ("list", "pods"), ("create", "pods/exec"), ("get", "pods/log"))


@dataclass
class ClusterSettings:
    context: str
    allow_mesh_config: bool = False
    keep: bool = False  # keep a failed lab's namespace
    rollout_timeout: float = 300.0
    settle_timeout: float = 60.0
    poll_interval: float = 2.0
    delete_timeout: float = 180.0


def istio_version(image: str) -> tuple[int, int, int] | None:
    """``docker.io/istio/pilot:1.30.5`` (or ``…:1.30.5-distroless``) → (1, 30, 5)."""
    match = re.search(r":(\d+)\.(\d+)\.(\d+)", image)
    return (int(match[1]), int(match[2]), int(match[3])) if match else None


@dataclass
class ClusterBackend(KindBackend):
    """KindBackend's check machinery on someone else's cluster; see the module docstring.

    ``settings`` is a :class:`ClusterSettings` (it has the fields the check machinery reads:
    context, settle_timeout, poll_interval).
    """

    places: dict[str, str] = field(default_factory=dict)  # lab namespace → run namespace, for the lab running

    def kubectl(self, *args: str, timeout: float = 60.0, input: str | None = None):
        return self._run(["kubectl", "--context", self.settings.context, REQUEST_TIMEOUT, *args], timeout=timeout, input=input)

    def place(self, namespace: str) -> str:
        return self.places.get(namespace, namespace)

    # ------------------------------------------------------------ before anything changes

    def plan(self, scenarios: list[LabScenario]) -> list[LabPlan]:
        """Plans for every lab (LabRefused for the first that cannot run)."""
        return [plan_lab(s, secrets.token_hex(3), allow_mesh_config=self.settings.allow_mesh_config) for s in scenarios]

    def preflight(self, plans: list[LabPlan]) -> None:
        """Raise PreflightError naming what is missing: kubectl, the server, Istio, CRDs, permissions."""
        if self.runner.which("kubectl") is None:
            raise PreflightError("kubectl is not installed (not found on PATH)")
        try:
            self.kubectl("version", "-o", "json")
            image = self.kubectl("get", "deployment", "istiod", "-n", MESH_NAMESPACE, "-o", _ISTIOD_IMAGE).stdout.strip()
        except CommandFailed as error:
            raise PreflightError(f"context {self.settings.context}: {error}") from None
        self._check_istio(image)
        self._check_crds(plans)
        denied = [f"{verb} {resource}" + (f" in {ns}" if ns else "") for verb, resource, ns in self._permissions(plans)
                  if not self._can(verb, resource, ns)]
        if denied:
            raise PreflightError(f"context {self.settings.context} may not: {'; '.join(denied)} (kubectl auth can-i)")

    def _check_istio(self, image: str) -> None:
        found = istio_version(image)
        wanted = tuple(int(x) for x in pins.ISTIO_VERSION.split("."))
        if found is None:
            raise PreflightError(f"cannot read Istio's version from the istiod image {image!r}")
        if found[:2] != wanted[:2]:
            raise PreflightError(f"the cluster runs Istio {'.'.join(map(str, found))}; the labs are written for Istio {pins.ISTIO_VERSION}")

    def _check_crds(self, plans: list[LabPlan]) -> None:
        names = {r for p in plans for r in p.resources + [m for m, _ in p.mesh_resources]}
        wanted = sorted(r for r in names if r.partition(".")[2] not in ("", "apps"))  # not core, not apps: a CRD
        if not wanted:
            return
        done = self.runner.run(["kubectl", "--context", self.settings.context, REQUEST_TIMEOUT, "get", "crd", *wanted,
                                "-o", "name"], timeout=60)
        present = {line.rpartition("/")[2] for line in done.stdout.split()}
        missing = [name for name in wanted if name not in present]
        if missing:
            raise PreflightError(f"context {self.settings.context} lacks the CRDs {', '.join(missing)} (is Istio installed?)")

    def _permissions(self, plans: list[LabPlan]) -> list[tuple[str, str, str]]:
        needed = [("create", "namespaces", ""), ("delete", "namespaces", "")]
        for plan in plans:
            for resource in plan.resources:
                needed += [("create", resource, plan.namespace), ("delete", resource, plan.namespace)]
            needed += [(verb, resource, plan.namespace) for verb, resource in _RUN_VERBS]
            for resource, namespace in plan.mesh_resources:
                needed += [("create", resource, namespace), ("delete", resource, namespace)]
        return list(dict.fromkeys(needed))

    def _can(self, verb: str, resource: str, namespace: str) -> bool:
        argv = ["kubectl", "--context", self.settings.context, REQUEST_TIMEOUT, "auth", "can-i", verb, resource]
        done = self.runner.run(argv + (["-n", namespace] if namespace else []), timeout=60)
        return done.stdout.strip() == "yes"

    # ------------------------------------------------------------ one lab

    def setup(self, plan: LabPlan) -> None:
        self.log(f"creating namespace {plan.namespace}")
        self.kubectl("create", "-f", "-", input=to_yaml([plan.namespace_document()]))
        self.kubectl("apply", "-n", plan.namespace, "-f", "-", input=to_yaml(plan.workloads), timeout=120)
        wait = f"--timeout={int(self.settings.rollout_timeout)}s"
        self.kubectl("wait", "--for=condition=Available", "deployment", "--all", "-n", plan.namespace, wait,
                     timeout=self.settings.rollout_timeout + 30)
        self.kubectl("wait", "--for=condition=Ready", "pod", "--all", "-n", plan.namespace, wait,
                     timeout=self.settings.rollout_timeout + 30)
        if plan.mesh_config:
            self.log("applying mesh-wide configuration (--allow-mesh-config)")
            self.kubectl("apply", "-f", "-", input=to_yaml(plan.mesh_config))
        self.kubectl("apply", "-n", plan.namespace, "-f", "-", input=to_yaml(plan.config))

    def teardown(self, plan: LabPlan) -> None:
        """Delete what ``setup`` made; problems are logged, never raised (we may be unwinding a Ctrl-C)."""
        assert plan.namespace.startswith(RUN_PREFIX)  # never anything but the namespace this run created
        context = ["kubectl", "--context", self.settings.context, REQUEST_TIMEOUT]
        steps = []
        if plan.mesh_config:
            steps.append((context + ["delete", "--ignore-not-found", "-f", "-"], to_yaml(plan.mesh_config)))
        steps.append((context + ["delete", "namespace", plan.namespace, "--ignore-not-found",
                                 f"--timeout={int(self.settings.delete_timeout)}s"], None))
        self.log(f"deleting namespace {plan.namespace}")
        for argv, input_ in steps:
            done = self.runner.run(argv, timeout=self.settings.delete_timeout + 30, input=input_)
            if not done.ok:
                self.log(f"teardown: {done.summary()}")

    def run_planned(self, scenario: LabScenario, plan: LabPlan,
                    on_check: Callable[[CheckReport], None] = lambda r: None) -> LabReport:
        report = LabReport(name=scenario.lab.name, title=scenario.lab.title, backend="cluster")
        started = self.clock.monotonic()
        report.errors = [str(d) for d in scenario.errors]
        if report.errors:
            return report
        self.places = {plan.lab_namespace: plan.namespace, OUTSIDE_NAMESPACE: plan.namespace}
        self._pods.clear()
        try:
            self.setup(plan)
            self.wait_for_gateways(scenario.mesh)
            for check in scenario.checks:
                item = self.run_check(check, scenario.mesh, scenario.lab.client)
                report.checks.append(item)
                on_check(item)
        except (CommandFailed, WaitTimeout) as error:
            report.errors.append(str(error))
        finally:
            if not (self.settings.keep and not report.passed):
                self.teardown(plan)
            else:
                self.log(f"keeping namespace {plan.namespace} (--keep)")
            report.seconds = self.clock.monotonic() - started
        return report
