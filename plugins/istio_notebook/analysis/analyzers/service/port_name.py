"""IST0118 and IST0150: a Service port name that gives Istio no protocol.

As istioctl's ``service.PortNameAnalyzer`` (service/portname.go, tag 1.30.3) with pilot's
protocol conversion (pkg/config/kube ConvertProtocol, here config.protocol.kubernetes_port): a
port whose protocol stays unsupported is flagged (so a well-known port such as 3306 is TCP, not
flagged), at the port. On an ExternalName Service such a port, and also a port named exactly
``tcp``, is IST0150 instead: the proxy may not forward its TCP traffic. Skipped: Istio's own
control-plane Services (label ``istio`` or ``release: istio``) and Services that Istio's gateway
controllers manage (label ``gateway.istio.io/managed``: gateway, waypoint or east-west).
"""

from __future__ import annotations

from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.util import as_str, enumerate_dicts
from istio_notebook.config.protocol import Protocol, kubernetes_port
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="service.PortNameAnalyzer",
    description="Checks that Service port names follow Istio's <protocol>[-<suffix>] convention",
    inputs=("Service",),
)

GATEWAY_MANAGED = "gateway.istio.io/managed"
MANAGED_BY_ISTIO = ("istio.io-gateway-controller", "istio.io-mesh-controller", "istio.io-eastwest-controller")


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    for service in ctx.of_kind("Service"):
        if "istio" in service.labels or service.labels.get("release") == "istio":
            continue
        if service.labels.get(GATEWAY_MANAGED) in MANAGED_BY_ISTIO:
            continue
        external_name = service.get("spec", "type") == "ExternalName"
        for i, port in enumerate_dicts(service.get("spec", "ports")):
            name = as_str(port.get("name"))
            selection = kubernetes_port(port.get("port"), name, port.get("protocol"), port.get("appProtocol"))
            unsupported = selection.protocol is Protocol.UNSUPPORTED
            if external_name and (unsupported or name == "tcp"):
                yield messages.external_name_invalid_port_name(service, ("spec", "ports", i))
            elif unsupported:
                target = port.get("targetPort")
                yield messages.port_name_not_under_convention(
                    service, ("spec", "ports", i), name, port.get("port"), "" if target is None else str(target)
                )
