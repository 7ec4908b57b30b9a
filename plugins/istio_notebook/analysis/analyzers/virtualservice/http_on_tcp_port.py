"""INB2007: `http` routes of a mesh VirtualService for a port Istio treats as TCP.

The classic "my VirtualService has no effect". A sidecar builds its outbound listener from the
protocol of the service port (config.protocol, as pkg/config/kube ConvertProtocol): HTTP-family
protocols and sniffed ports get the HTTP connection manager, which applies `http` routes;
TCP, TLS, HTTPS, Mongo, Redis and MySQL get a TCP proxy, which applies only `tcp` and `tls`
routes (pilot/pkg/networking/networking.go ModelProtocolToListenerProtocol,
pilot/pkg/networking/core/listener.go buildSidecarOutboundListener). Reported:
- at ``spec.http`` for each port of the host when none of its ports takes HTTP routes;
- at ``match[].port`` when a match names a port of the host that is treated as TCP.
Only VirtualServices bound to ``mesh`` (gateways terminate HTTP themselves, on the server's protocol).
"""

from __future__ import annotations

from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.analyzers.virtualservice.destinations import gateway_refs
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.util import as_list, enumerate_dicts
from istio_notebook.config import Resource
from istio_notebook.config.protocol import Listener, Selection, describe, ports_of
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="virtualservice.HttpRoutesOnTcpPortAnalyzer",
    description="Checks that mesh VirtualService http routes target ports Istio treats as HTTP",
    inputs=("VirtualService", "Service", "ServiceEntry"),
)


def _tcp(selection: Selection) -> bool:
    return selection.listener is Listener.TCP


def _host_ports(ctx: Context, vs: Resource, host: str) -> list[tuple[int, Selection]]:
    if not ctx.services.describes(vs.namespace, host):
        return []
    found = ctx.services.lookup(vs.namespace, vs.get("spec", "exportTo"), host)
    if found is None:
        return []
    return ports_of(found.resource.kind, found.resource.spec)


def _findings(vs: Resource, host: str, ports: list[tuple[int, Selection]]) -> Iterator[Diagnostic]:
    if ports and all(_tcp(s) or s.listener is Listener.NONE for _, s in ports):
        for number, selection in ports:
            if _tcp(selection):
                yield messages.http_routes_on_tcp_port(vs, ("spec", "http"), host, number,
                                                       selection.protocol.value, describe(selection))
        return
    by_number = dict(ports)
    for i, rule in enumerate_dicts(vs.get("spec", "http")):
        for j, match in enumerate_dicts(rule.get("match")):
            port = match.get("port")
            selection = by_number.get(port) if isinstance(port, int) else None
            if selection is not None and _tcp(selection):
                yield messages.http_routes_on_tcp_port(vs, ("spec", "http", i, "match", j, "port"), host,
                                                       match["port"], selection.protocol.value, describe(selection))


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    if not ctx.has("Service", "ServiceEntry"):
        return
    for vs in ctx.of_kind("VirtualService"):
        refs = gateway_refs(vs)
        if not as_list(vs.get("spec", "http")) or (refs and "mesh" not in refs):
            continue
        for host in as_list(vs.get("spec", "hosts")):
            if isinstance(host, str) and host and not host.startswith("*"):
                yield from _findings(vs, host, _host_ports(ctx, vs, host))
