"""The topology labels istiod adds to a workload's endpoints, as far as the input shows them.

istiod matches a DestinationRule subset against endpoint labels, which are the pod's labels plus
what ``AugmentLabels`` adds (pilot/pkg/serviceregistry/util/label/label.go at 1.30.3):
``topology.kubernetes.io/region``, ``zone`` and ``topology.istio.io/subzone`` from the locality
(only the non-empty parts), ``kubernetes.io/hostname`` from ``spec.nodeName``, and the cluster and
network IDs. The locality is read as istiod reads it (config/locality.py: the pod's locality
label, else its Node). istioctl's SubsetSelectPodAnalyzer (destinationrule/subset.go) augments
the same way, from the Node only.

What the input cannot tell is left unjudged: the cluster and network IDs (never in files), the
locality of a workload without a locality label whose Node is not in the input (a Deployment's
pod template, an unscheduled Pod), the hostname of a workload without ``spec.nodeName``.
"""

from __future__ import annotations

from dataclasses import dataclass

from istio_notebook.config import Mesh
from istio_notebook.config.locality import workload_locality
from istio_notebook.config.workloads import Workload

REGION = "topology.kubernetes.io/region"
ZONE = "topology.kubernetes.io/zone"
SUBZONE = "topology.istio.io/subzone"
HOSTNAME = "kubernetes.io/hostname"
NEVER_KNOWN = frozenset({"topology.istio.io/cluster", "topology.istio.io/network"})
TOPOLOGY_LABELS = frozenset({REGION, ZONE, SUBZONE, HOSTNAME}) | NEVER_KNOWN


@dataclass(frozen=True)
class EndpointLabels:
    labels: dict[str, str]
    unknown: frozenset[str]  # topology keys the input cannot tell for this workload

    def matches(self, wanted: dict[str, str]) -> bool:
        """A subset's topology requirements hold, or cannot be judged."""
        return all(key in self.unknown or self.labels.get(key) == value for key, value in wanted.items())


def _node_name(workload: Workload) -> str:
    name = workload.resource.get("spec", "nodeName") if workload.kind == "Pod" else None
    return name if isinstance(name, str) else ""


def endpoint_labels(mesh: Mesh, workload: Workload) -> EndpointLabels:
    labels, unknown = dict(workload.labels), set(NEVER_KNOWN)
    node_name = _node_name(workload)
    locality = workload_locality(mesh, workload)
    if locality is not None:
        parts = (locality.value.split("/") + ["", ""])[:3]
        labels.update({key: value for key, value in zip((REGION, ZONE, SUBZONE), parts) if value})
    elif not (node_name and any(n.name == node_name for n in mesh.of_kind("Node"))):
        unknown |= {REGION, ZONE, SUBZONE}
    if node_name:
        labels[HOSTNAME] = node_name
    else:
        unknown.add(HOSTNAME)
    return EndpointLabels(labels, frozenset(unknown))
