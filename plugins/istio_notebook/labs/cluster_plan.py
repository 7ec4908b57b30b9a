"""What a lab would change on an existing cluster, decided before anything runs.

The ``cluster`` backend (labs/cluster.py) runs a lab in a namespace of its own,
``inb-lab-<name>-<random>``: the lab's one namespace (``default`` for most labs) is mapped onto
it, its workloads and Istio configuration are applied there, and deleting that namespace removes
them all. A lab is refused, with the reason, when that would not hold:

- it uses more than one namespace (the mapping would need several);
- it has workloads in istio-system (it would replace the cluster's own gateways): always;
- it changes mesh-wide configuration (anything in istio-system, cluster-scoped kinds, a
  networking Gateway, which shared gateway workloads pick up, or a ServiceEntry visible to other
  namespaces): only with ``--allow-mesh-config``, and those are applied as they are and deleted again;
- its Istio configuration names its namespace inside ``spec`` (``reviews.default.svc…``,
  ``cluster.local/ns/default/…``), which would not follow the move.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from istio_notebook.config import Resource
from istio_notebook.config.kinds import resource_name
from istio_notebook.labs.kind import NotRunnable, client_for
from istio_notebook.labs.scenario import LabScenario
from istio_notebook.labs.workloads import OUTSIDE_CLIENT, OUTSIDE_NAMESPACE, is_workload, workload_documents

RUN_PREFIX = "inb-lab-"
RUN_LABEL = "istio-notebook.dev/lab-run"
MESH_NAMESPACE = "istio-system"
_MAX_LABEL = 63  # a namespace name is a DNS label


class LabRefused(ValueError):
    """The lab cannot run on an existing cluster as asked; nothing was touched."""


@dataclass
class LabPlan:
    lab: str
    lab_namespace: str  # the namespace the lab is written for
    namespace: str  # where it runs: inb-lab-<name>-<token>
    workloads: list[dict] = field(default_factory=list)  # applied first, waited for
    config: list[dict] = field(default_factory=list)  # the Istio configuration, in the run namespace
    mesh_config: list[dict] = field(default_factory=list)  # only with --allow-mesh-config, as written

    @property
    def resources(self) -> list[str]:
        """``plural.group`` of every kind this plan creates in the run namespace."""
        kinds = {(_group(d), d["kind"]) for d in self.workloads + self.config}
        return sorted(resource_name(group, kind) for group, kind in kinds)

    @property
    def mesh_resources(self) -> list[tuple[str, str]]:
        """(``plural.group``, namespace or "") of the mesh-wide configuration."""
        return sorted({(resource_name(_group(d), d["kind"]), d.get("metadata", {}).get("namespace", ""))
                       for d in self.mesh_config})

    def namespace_document(self) -> dict:
        labels = {"istio-injection": "enabled", RUN_LABEL: self.namespace[len(RUN_PREFIX):]}
        return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": self.namespace, "labels": labels}}


def _group(document: dict) -> str:
    return str(document.get("apiVersion", "")).rpartition("/")[0]


def run_namespace(lab: str, token: str) -> str:
    """``inb-lab-<lab>-<token>``, the lab part shortened so that the name stays a DNS label."""
    room = _MAX_LABEL - len(RUN_PREFIX) - len(token) - 1
    return f"{RUN_PREFIX}{lab[:room].rstrip('-')}-{token}"


def _client_namespaces(scenario: LabScenario) -> set[str]:
    found = set()
    for check in scenario.checks:
        try:
            found.add(client_for(check, scenario.mesh, scenario.lab.client).namespace)
        except NotRunnable:
            continue
    return found - {OUTSIDE_NAMESPACE}


def _is_mesh_wide(resource: Resource) -> bool:
    if resource.namespace in ("", MESH_NAMESPACE):
        return resource.kind != "Namespace"
    if resource.group == "networking.istio.io" and resource.kind == "Gateway":
        return True
    if resource.kind == "ServiceEntry":
        return resource.get("spec", "exportTo", default=None) != ["."]
    return False


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _names_namespace(resource: Resource, namespace: str) -> str | None:
    """A string of ``spec`` that names ``namespace`` as a host or path segment, if any."""
    for text in _strings(resource.spec):
        if namespace in re.split(r"[./*]", text):
            return text
    return None


def _in_run_namespace(document: dict, namespace: str) -> dict:
    body = copy.deepcopy(document)
    body.setdefault("metadata", {})["namespace"] = namespace
    return body


def _workloads(scenario: LabScenario, lab_namespace: str, namespace: str) -> list[dict]:
    """The echo workloads and clients (labs/workloads.py), moved into ``namespace``.

    The client without a sidecar (for plain-text checks) runs there too, with injection turned off.
    """
    documents = []
    for body in workload_documents(scenario.fixtures, [lab_namespace]):
        if body["kind"] == "Namespace" or (body["kind"] == "ServiceAccount" and body["metadata"].get("namespace") == OUTSIDE_NAMESPACE):
            continue
        moved = _in_run_namespace(body, namespace)
        if body["kind"] == "Deployment" and body["metadata"]["name"] == OUTSIDE_CLIENT:
            template = moved["spec"]["template"].setdefault("metadata", {})
            template.setdefault("annotations", {})["sidecar.istio.io/inject"] = "false"
        documents.append(moved)
    return documents


def plan_lab(scenario: LabScenario, token: str, *, allow_mesh_config: bool = False) -> LabPlan:
    """The plan for ``scenario``, or :class:`LabRefused` saying why it cannot run."""
    name = scenario.lab.name
    resources = scenario.fixtures + scenario.manifests
    mesh_wide = [r for r in resources if _is_mesh_wide(r)]
    local = [r for r in resources if r not in mesh_wide and r.kind != "Namespace"]
    namespaces = sorted({r.namespace for r in local} | _client_namespaces(scenario))
    if len(namespaces) > 1:
        raise LabRefused(f"lab {name} uses namespaces {', '.join(namespaces)}; the cluster backend runs a lab in one namespace of its own")
    replaced = [r for r in mesh_wide if is_workload(r)]
    if replaced:
        raise LabRefused(f"lab {name} would replace workloads of the mesh ({replaced[0].origin}); it runs on kind only")
    if mesh_wide and not allow_mesh_config:
        raise LabRefused(f"lab {name} changes mesh-wide configuration ({', '.join(r.origin for r in mesh_wide)}); "
                         "pass --allow-mesh-config to apply it (it is deleted again afterwards)")
    lab_namespace = namespaces[0] if namespaces else "default"
    config = [r for r in local if not is_workload(r)]
    for resource in config:
        named = _names_namespace(resource, lab_namespace)
        if named is not None:
            raise LabRefused(f"lab {name}: {resource.origin} names namespace {lab_namespace} in its spec ({named!r}), "
                             "which would not follow the lab into its own namespace")
    namespace = run_namespace(name, token)
    return LabPlan(
        lab=name, lab_namespace=lab_namespace, namespace=namespace,
        workloads=_workloads(scenario, lab_namespace, namespace),
        config=[_in_run_namespace(r.body, namespace) for r in config],
        mesh_config=[copy.deepcopy(r.body) for r in mesh_wide],
    )
