"""IST0126: a meshNetworks endpoint ``fromRegistry`` names a service registry istiod does not have.

As istioctl's ``meshnetworks.MeshNetworksAnalyzer`` (multicluster/meshnetworks.go at 1.30.3):
every ``networks.<network>.endpoints[].fromRegistry`` must be one of the registries istiod knows:
``Mock``, ``Kubernetes``, ``External`` (pilot/pkg/serviceregistry/provider), or a cluster of a
remote secret (a Secret labelled ``istio/multiCluster: "true"``; each data key is a cluster ID).
The comparison is exact (``kubernetes`` is not ``Kubernetes``).

istioctl reads meshNetworks from the live ConfigMap ``istio`` (key ``meshNetworks``); files carry it
the same way, or as an IstioOperator's ``spec.values.global.meshNetworks``, and it is judged when
the input holds either. Where istioctl differs: it reports on a synthetic ``MeshNetworks
istio-system/meshnetworks``, we on the ConfigMap or IstioOperator that holds the entry; a remote
secret's ``stringData`` keys count (the API server stores them as data); and the local cluster's ID
counts too when the IstioOperator names it (``values.global.multiCluster.clusterName``; istiod's
CLUSTER_ID, ``Kubernetes`` by default), since istiod has that registry as well.
"""

from __future__ import annotations

from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.util import as_dict, as_str, enumerate_dicts
from istio_notebook.config import Origin, Resource
from istio_notebook.config.yaml_reader import read_documents
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="meshnetworks.MeshNetworksAnalyzer",
    description="Checks that meshNetworks endpoints name a known service registry",
    inputs=("ConfigMap", "IstioOperator", "Secret"),
)

BUILTIN_REGISTRIES = ("Mock", "Kubernetes", "External")
REMOTE_SECRET_LABEL = "istio/multiCluster"
MESH_CONFIG_MAPS = "istio"  # the default revision's; a revision's is istio-<revision>


def _known_registries(ctx: Context) -> set[str]:
    known = set(BUILTIN_REGISTRIES)
    for secret in ctx.of_kind("Secret"):
        if secret.labels.get(REMOTE_SECRET_LABEL) == "true":
            known |= {k for field in ("data", "stringData") for k in as_dict(secret.get(field)) if isinstance(k, str)}
    for op in ctx.of_kind("IstioOperator"):
        name = as_str(op.get("spec", "values", "global", "multiCluster", "clusterName"))
        if name:
            known.add(name)
    return known


def _config_map_networks(resource: Resource) -> dict:
    """The ``networks`` of ConfigMap ``istio``'s ``meshNetworks`` text (read safely; unreadable: none)."""
    text = resource.get("data", "meshNetworks")
    if not isinstance(text, str):
        return {}
    documents, problems = read_documents(text, Origin(resource.position.file))
    if problems or len(documents) != 1:
        return {}
    return as_dict(as_dict(documents[0].data).get("networks"))


def _sources(ctx: Context) -> Iterator[tuple[Resource, tuple, dict]]:
    """(resource, field path of the networks, networks) for each place the input gives meshNetworks."""
    for cm in ctx.of_kind("ConfigMap"):
        if cm.name == MESH_CONFIG_MAPS or cm.name.startswith(MESH_CONFIG_MAPS + "-"):
            yield cm, ("data", "meshNetworks"), _config_map_networks(cm)
    for op in ctx.of_kind("IstioOperator"):
        path = ("spec", "values", "global", "meshNetworks")
        yield op, path, as_dict(op.get(*path))


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    known: set[str] | None = None
    for resource, path, networks in _sources(ctx):
        for network, body in networks.items():
            for j, endpoint in enumerate_dicts(as_dict(body).get("endpoints")):
                registry = endpoint.get("fromRegistry")
                if not isinstance(registry, str):
                    continue
                known = _known_registries(ctx) if known is None else known
                if registry not in known:
                    # Inside the ConfigMap's text there are no positions: the diagnostic names its key.
                    at = path + (network, "endpoints", j, "fromRegistry") if resource.kind == "IstioOperator" else path
                    yield messages.unknown_mesh_networks_service_registry(resource, at, registry, str(network))
