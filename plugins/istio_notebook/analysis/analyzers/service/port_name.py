"""IST0118: a Service port name that gives Istio no protocol.

As istioctl's ``service.PortNameAnalyzer`` (service/portname.go) with pilot's protocol
conversion (pkg/config/kube ConvertProtocol): ``appProtocol`` wins; UDP is UDP; else the port
name, or its part before the first ``-``, must name a protocol (case-insensitive). Istio's own
control-plane Services (label ``istio`` or ``release: istio``) and ExternalName Services
(istioctl reports IST0150 for those) are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.util import as_str, enumerate_dicts
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="service.PortNameAnalyzer",
    description="Checks that Service port names follow Istio's <protocol>[-<suffix>] convention",
    inputs=("Service",),
)

# pkg/config/protocol: the protocols a port name (or appProtocol) may select.
PROTOCOLS = frozenset(
    {"grpc", "grpc-web", "http", "http_proxy", "http2", "https", "tcp", "tls", "udp", "mongo", "redis", "mysql"}
)
APP_PROTOCOLS = frozenset({"kubernetes.io/h2c", "kubernetes.io/ws", "kubernetes.io/wss"})


def has_protocol(name: str, protocol: str, app_protocol: str) -> bool:
    if app_protocol and (app_protocol.lower() in PROTOCOLS or app_protocol in APP_PROTOCOLS):
        return True
    if protocol.upper() == "UDP":
        return True
    lowered = name.lower()
    return lowered in PROTOCOLS or lowered.split("-", 1)[0] in PROTOCOLS


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    for service in ctx.of_kind("Service"):
        if "istio" in service.labels or service.labels.get("release") == "istio":
            continue
        if service.get("spec", "type") == "ExternalName":
            continue
        for i, port in enumerate_dicts(service.get("spec", "ports")):
            name = as_str(port.get("name"))
            if not has_protocol(name, as_str(port.get("protocol")), as_str(port.get("appProtocol"))):
                target = port.get("targetPort")
                yield messages.port_name_not_under_convention(
                    service, ("spec", "ports", i), name, port.get("port"), "" if target is None else str(target)
                )
