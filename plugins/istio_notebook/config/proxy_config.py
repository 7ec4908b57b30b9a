"""The ProxyConfig a workload sets for itself: its ``proxy.istio.io/config`` annotation.

The annotation holds ProxyConfig as YAML (istio.io reference/config/annotations); istiod and the
injector apply it over MeshConfig ``defaultConfig``. A Pod carries it in its own metadata, a
Deployment in its pod template's. One reader for every consumer (the gateway's trusted proxies,
the injector's image type); IST0125 judges the annotation's values on its own terms.
"""

from __future__ import annotations

from istio_notebook.config.resource import Resource
from istio_notebook.config.yaml_reader import Origin, read_documents

PROXY_CONFIG_ANNOTATION = "proxy.istio.io/config"


def annotation_text(resource: Resource) -> str | None:
    """The annotation's text on a Pod, or on a Deployment's pod template; None when unset."""
    if resource.kind == "Deployment":
        annotations = resource.get("spec", "template", "metadata", "annotations")
        value = annotations.get(PROXY_CONFIG_ANNOTATION) if isinstance(annotations, dict) else None
    else:
        value = resource.annotations.get(PROXY_CONFIG_ANNOTATION)
    return value if isinstance(value, str) else None


def annotated_proxy_config(resource: Resource) -> object | None:
    """The annotation read as YAML (the safe reader: an alias bomb or a bad value stays harmless);
    None when unset or unreadable, as the proxy then runs on its MeshConfig defaults."""
    text = annotation_text(resource)
    if text is None:
        return None
    documents, problems = read_documents(text, Origin(resource.position.file))
    return None if problems or len(documents) != 1 else documents[0].data
