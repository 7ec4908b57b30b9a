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

from collections import defaultdict
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


def _node_name(workload: Workload) -> str:
    name = workload.resource.get("spec", "nodeName") if workload.kind == "Pod" else None
    return name if isinstance(name, str) else ""


def endpoint_labels(mesh: Mesh, workload: Workload, nodes: frozenset[str] | None = None) -> EndpointLabels:
    """``nodes``: the names of the input's Nodes (computed when not given)."""
    nodes = frozenset(n.name for n in mesh.of_kind("Node")) if nodes is None else nodes
    labels, unknown = dict(workload.labels), set(NEVER_KNOWN)
    node_name = _node_name(workload)
    locality = workload_locality(mesh, workload)
    if locality is not None:
        parts = (locality.value.split("/") + ["", ""])[:3]
        labels.update({key: value for key, value in zip((REGION, ZONE, SUBZONE), parts) if value})
    elif node_name not in nodes:
        unknown |= {REGION, ZONE, SUBZONE}
    if node_name:
        labels[HOSTNAME] = node_name
    else:
        unknown.add(HOSTNAME)
    return EndpointLabels(labels, frozenset(unknown))


class TopologyIndex:
    """Which workloads' endpoints carry (or may carry) each topology label, built once per mesh.

    A subset's topology labels then cost set intersections, not a pass over every workload per
    subset (a mesh of thousands of subsets and pods stays within check_scale's budget).
    """

    def __init__(self, mesh: Mesh, workloads: list[Workload]):
        nodes = frozenset(n.name for n in mesh.of_kind("Node"))
        self._position = {id(w): i for i, w in enumerate(workloads)}
        self._by_pair: dict[tuple[str, str], set[int]] = defaultdict(set)
        self._unknown: dict[str, set[int]] = defaultdict(set)
        for i, workload in enumerate(workloads):
            endpoint = endpoint_labels(mesh, workload, nodes)
            for key in TOPOLOGY_LABELS:
                if key in endpoint.unknown:
                    self._unknown[key].add(i)
                elif key in endpoint.labels:
                    self._by_pair[(key, endpoint.labels[key])].add(i)

    def any_matches(self, candidates: list[Workload] | None, wanted: dict[str, str]) -> bool:
        """Some candidate's (None: any workload's) endpoints carry ``wanted``, or the input cannot tell."""
        sets = sorted((self._by_pair.get((k, v), set()) | self._unknown.get(k, set()) for k, v in wanted.items()), key=len)
        found = set(sets[0]) if candidates is None else {self._position[id(w)] for w in candidates} & sets[0]
        for other in sets[1:]:
            if not found:
                return False
            found &= other
        return bool(found)
