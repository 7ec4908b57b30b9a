"""Match-level filters istiod applies while it builds a proxy's routes (not at request time).

A VirtualService match with ``port``, ``gateways``, ``sourceLabels`` or ``sourceNamespace`` is
kept or dropped for a listener once, when the route table is built (routing/build.py,
routing/waypoint.py); the table then holds only matches that evaluate on the request.
"""

from __future__ import annotations

from dataclasses import dataclass

from istio_notebook.config.labels import label_map, selects
from istio_notebook.routing.trace import Note


@dataclass
class BuildFilter:
    """The build-time facts a match-level filter is compared with."""

    namespace: str
    labels: dict[str, str]
    gateway: str  # "mesh" or "ns/name" of the Gateway owning the server
    port: int
    tls: bool = False  # the server terminates TLS (istiod's isTLS for redirect ports)
    waypoint: bool = False  # a waypoint: matches with sourceLabels are dropped (routing/waypoint.py)


def filtered_out(match: dict, flt: BuildFilter, vs_namespace: str) -> Note | None:
    """Istio applies port, gateways, sourceLabels, sourceNamespace when it builds the config.

    As istio's sourceMatchHTTP (pilot/pkg/networking/core/route/route.go, 1.30): once a match
    names `gateways`, only the gateway decides; sourceLabels and sourceNamespace are not read
    (istio/api HTTPMatchRequest.gateways: "independent of sourceLabels")."""
    if flt.waypoint and match.get("sourceLabels"):
        return Note("r_waypoint_source_labels")
    port = match.get("port")
    if isinstance(port, int) and not isinstance(port, bool) and port != flt.port:
        return Note("r_port", port=port, listener=flt.port)
    gws = match.get("gateways")
    if isinstance(gws, list) and gws:
        names = {str(g) if str(g) == "mesh" or "/" in str(g) else f"{vs_namespace}/{g}" for g in gws}
        if flt.gateway not in names:
            return Note("r_gateways", gateways=sorted(names), gateway=flt.gateway)
        return None
    labels = match.get("sourceLabels")
    if isinstance(labels, dict) and not selects(label_map(labels), flt.labels):
        return Note("r_source_labels", labels=labels)
    ns = match.get("sourceNamespace")
    if isinstance(ns, str) and ns and ns != flt.namespace:
        return Note("r_source_namespace", namespace=ns, proxy_namespace=flt.namespace)
    return None
