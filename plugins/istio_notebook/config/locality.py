"""A workload's locality (region/zone/subzone), read as istiod reads it.

As istio 1.30 does it (pilot/pkg/serviceregistry/kube/controller/controller.go getPodLocality;
pkg/model/proxy.go GetLocalityLabel, SanitizeLocalityLabel):
1. the pod's label ``topology.istio.io/locality``, else the legacy ``istio-locality``; ``.``
   stands for ``/`` (label values cannot hold ``/``) unless the value already has a ``/``;
2. else the Node the pod runs on (``spec.nodeName``): region from ``topology.kubernetes.io/region``
   (else the beta ``failure-domain.beta.kubernetes.io/region``), zone likewise, subzone from
   ``topology.istio.io/subzone``; a Node with none of them gives no locality.
Locality never changes which route or cluster a request takes: it orders the endpoints inside
the cluster (the DestinationRule's localityLbSetting), which is why routing only reports it.
"""

from __future__ import annotations

from dataclasses import dataclass

from istio_notebook.config.mesh import Mesh
from istio_notebook.config.workloads import Workload

LOCALITY_LABELS = ("topology.istio.io/locality", "istio-locality")
REGION_LABELS = ("topology.kubernetes.io/region", "failure-domain.beta.kubernetes.io/region")
ZONE_LABELS = ("topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone")
SUBZONE_LABEL = "topology.istio.io/subzone"


@dataclass(frozen=True)
class Locality:
    value: str  # "region/zone/subzone"
    source: str  # where it was read: "label topology.istio.io/locality of Pod ns/name", "Node worker-1"

    def __str__(self) -> str:
        return self.value


def _first(labels: dict[str, str], keys: tuple[str, ...]) -> str:
    return next((labels[k] for k in keys if labels.get(k)), "")


def workload_locality(mesh: Mesh, workload: Workload) -> Locality | None:
    """getPodLocality for a Pod (or a Deployment's pod template, which has no node yet)."""
    # GetLocalityLabel: the first of the two labels that is present, even when empty (then the Node decides).
    key = next((k for k in LOCALITY_LABELS if k in workload.labels), None)
    if key is not None and workload.labels[key]:
        value = workload.labels[key]
        where = f"label {key} of {workload.kind} {workload.namespace}/{workload.resource.name}"
        return Locality(value if "/" in value else value.replace(".", "/"), where)
    node_name = workload.resource.get("spec", "nodeName") if workload.kind == "Pod" else None
    node = next((n for n in mesh.of_kind("Node") if n.name == node_name), None) if isinstance(node_name, str) else None
    if node is None:
        return None
    labels = node.labels
    region, zone, subzone = _first(labels, REGION_LABELS), _first(labels, ZONE_LABELS), labels.get(SUBZONE_LABEL, "")
    if not (region or zone or subzone):
        return None
    return Locality(f"{region}/{zone}/{subzone}", f"Node {node.name}")
