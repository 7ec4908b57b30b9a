"""Whether a Pod or Deployment gets a sidecar, as istioctl's analyzers decide it.

istio/istio pkg/config/analysis/analyzers/util/in_mesh.go (tag 1.30.3), ``inMesh``, in order:
an ``istio-proxy`` container with an image ⇒ in; else the ``sidecar.istio.io/inject`` label,
then the same annotation, decide (``"true"`` ⇒ in, any other value ⇒ out); else the Namespace
in the input decides (``istio-injection=enabled`` ⇒ in, present otherwise ⇒ out); else out.
istioctl does not look at ``istio.io/rev`` here, so neither do we. A Pod's init containers count
as containers (native sidecars); a Deployment's do not (as in_mesh.go).
"""

from __future__ import annotations

from istio_notebook.analysis.util import as_dict, as_str, enumerate_dicts
from istio_notebook.config import Mesh, Resource
from istio_notebook.config.labels import label_map

PROXY_CONTAINER = "istio-proxy"
INJECT = "sidecar.istio.io/inject"
NAMESPACE_INJECTION = "istio-injection"


def _has_proxy(containers: list[dict]) -> bool:
    for container in containers:
        if container.get("name") == PROXY_CONTAINER:
            return bool(as_str(container.get("image")))
    return False


def _decide(mesh: Mesh, namespace: str, labels: dict[str, str], annotations: dict, containers: list[dict]) -> bool:
    if _has_proxy(containers):
        return True
    for source in (labels, annotations):
        if INJECT in source:
            return str(source[INJECT]) == "true"
    ns = mesh.get("Namespace", "", namespace)
    return ns is not None and ns.labels.get(NAMESPACE_INJECTION) == "enabled"


def deployment_in_mesh(mesh: Mesh, deployment: Resource) -> bool:
    template = as_dict(deployment.get("spec", "template"))
    metadata = as_dict(template.get("metadata"))
    containers = [c for _, c in enumerate_dicts(as_dict(template.get("spec")).get("containers"))]
    return _decide(mesh, deployment.namespace, label_map(metadata.get("labels")), as_dict(metadata.get("annotations")), containers)


def pod_in_mesh(mesh: Mesh, pod: Resource) -> bool:
    spec = pod.spec
    containers = [c for key in ("containers", "initContainers") for _, c in enumerate_dicts(spec.get(key))]
    return _decide(mesh, pod.namespace, pod.labels, pod.annotations, containers)
