"""IST0118: a Service port name that gives Istio no protocol.

As istioctl's ``service.PortNameAnalyzer`` (service/portname.go) with pilot's protocol
conversion (pkg/config/kube ConvertProtocol, here config.protocol.kubernetes_port): a port whose
protocol stays unsupported is flagged (so a well-known port such as 3306 is TCP, not flagged). Istio's own
control-plane Services (label ``istio`` or ``release: istio``) and ExternalName Services
(istioctl reports IST0150 for those) are skipped.
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


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    for service in ctx.of_kind("Service"):
        if "istio" in service.labels or service.labels.get("release") == "istio":
            continue
        if service.get("spec", "type") == "ExternalName":
            continue
        for i, port in enumerate_dicts(service.get("spec", "ports")):
            name = as_str(port.get("name"))
            selection = kubernetes_port(port.get("port"), name, port.get("protocol"), port.get("appProtocol"))
            if selection.protocol is Protocol.UNSUPPORTED:
                target = port.get("targetPort")
                yield messages.port_name_not_under_convention(
                    service, ("spec", "ports", i), name, port.get("port"), "" if target is None else str(target)
                )
