"""IST0158: injected Pods of a namespace run another proxy image than the injector configures.

As istioctl's ``injection.ImageAnalyzer`` (injection/injection-image.go at 1.30.3): for each
Namespace enrolled with ``istio-injection=enabled`` (revision ``default``) or ``istio.io/rev=R``,
the injector ConfigMap of that revision (``istio-sidecar-injector`` or
``istio-sidecar-injector-R``, key ``values``, JSON) gives the image: ``global.proxy.image`` when
it holds a ``/``, else ``<global.hub>/<global.proxy.image>:<global.tag>``. Every ``istio-proxy``
container (or init container) of the namespace's Pods must run it, or it with ``-<variant>``: the
image type of MeshConfig ``defaultConfig.image.imageType``, overridden by the root namespace's
ProxyConfig, the namespace's, a ProxyConfig selecting the Pod, then the Pod's
``proxy.istio.io/config`` annotation (``default`` is none). A Pod that sets
``sidecar.istio.io/proxyImage`` is left alone. One finding per namespace, on the Namespace.

Judged when the input holds the injector ConfigMap and Pods with an ``istio-proxy`` container
(dumped from a cluster, or the output of ``istioctl kube-inject``). Where istioctl differs: it
matches a workload ProxyConfig to any namespace whose name starts with the Pod's namespace; here
the namespace must be the Pod's.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.analyzers.injection.missing_proxy import PROXY_CONTAINER
from istio_notebook.analysis.analyzers.injection.namespace_labels import INJECTION, INJECTOR_CONFIGMAP, REVISION
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.util import as_dict, as_str, enumerate_dicts, go_list
from istio_notebook.config import Resource
from istio_notebook.config.mesh import ROOT_NAMESPACE
from istio_notebook.config.meshconfig import mesh_setting
from istio_notebook.config.proxy_config import annotated_proxy_config
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="injection.ImageAnalyzer",
    description="Checks that injected proxies run the image the injector configures",
    inputs=("Namespace", "Pod", "ConfigMap", "ProxyConfig", "IstioOperator"),
)

PROXY_IMAGE_ANNOTATION = "sidecar.istio.io/proxyImage"


def injector_image(config_map: Resource) -> str:
    """GetIstioProxyImage: the image the injector's values name ("" when they are not JSON)."""
    text = config_map.get("data", "values")
    try:
        values = json.loads(text) if isinstance(text, str) else None
    except (ValueError, RecursionError):
        return ""
    glob = as_dict(as_dict(values).get("global"))
    image = as_str(as_dict(glob.get("proxy")).get("image"))
    return image if "/" in image else f"{as_str(glob.get('hub'))}/{image}:{as_str(glob.get('tag'))}"


def _image_type(config: object) -> str:
    return as_str(as_dict(as_dict(config).get("image")).get("imageType"))


def _annotation_image_type(pod: Resource) -> str:
    config = annotated_proxy_config(pod)
    return "" if config is None else _image_type(config)


def image_variant(ctx: Context, pod: Resource) -> str:
    """EffectiveProxyConfigResolver.ImageType: the last level that sets an image type wins."""
    found = [_image_type(mesh_setting(ctx.mesh, "defaultConfig")[0])]
    proxy_configs = ctx.of_kind("ProxyConfig")
    found += [_image_type(p.spec) for p in proxy_configs if p.namespace == ROOT_NAMESPACE]
    found += [_image_type(p.spec) for p in proxy_configs if p.namespace == pod.namespace != ROOT_NAMESPACE and not p.spec.get("selector")]
    for p in proxy_configs:
        wanted = as_dict(as_dict(p.spec.get("selector")).get("matchLabels"))
        if p.namespace == pod.namespace != ROOT_NAMESPACE and wanted and all(pod.labels.get(k) == v for k, v in wanted.items()):
            found.append(_image_type(p.spec))
    found.append(_annotation_image_type(pod))
    variant = next((v for v in reversed(found) if v), "")
    return "" if variant == "default" else variant


def _revisions(ctx: Context) -> dict[str, tuple[Resource, str]]:
    """Namespace name → (Namespace, revision) for the namespaces the injector serves."""
    out = {}
    for ns in ctx.of_kind("Namespace"):
        if REVISION in ns.labels:
            out[ns.name] = (ns, ns.labels[REVISION])
        elif ns.labels.get(INJECTION) == "enabled":
            out[ns.name] = (ns, "default")
    return out


def _mismatched(ctx: Context, pod: Resource, expected: str) -> bool:
    variant = image_variant(ctx, pod)
    for field in ("containers", "initContainers"):
        for _, container in enumerate_dicts(pod.get("spec", field)):
            if container.get("name") == PROXY_CONTAINER and container.get("image") not in (expected, f"{expected}-{variant}"):
                return True
    return False


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    images = {cm.name: injector_image(cm) for cm in ctx.of_kind("ConfigMap") if cm.name.startswith(INJECTOR_CONFIGMAP)}
    if not images:
        return
    mismatched: dict[str, list[str]] = {}
    namespaces = _revisions(ctx)
    for pod in ctx.of_kind("Pod"):
        if pod.namespace not in namespaces or pod.annotations.get(PROXY_IMAGE_ANNOTATION):
            continue
        revision = namespaces[pod.namespace][1]
        name = INJECTOR_CONFIGMAP if revision in ("", "default") else f"{INJECTOR_CONFIGMAP}-{revision}"
        if name in images and _mismatched(ctx, pod, images[name]):
            mismatched.setdefault(pod.namespace, []).append(pod.name)
    for namespace, pods in mismatched.items():
        yield messages.pods_proxy_image_mismatch(namespaces[namespace][0], (), go_list(sorted(pods)))
