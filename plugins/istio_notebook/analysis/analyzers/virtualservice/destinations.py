"""Where a VirtualService sends traffic: every route destination and mirror, with its field path.

Mirrors the traversal of istioctl's ``getRouteDestinations`` / ``getHTTPMirrorDestinations``
(pkg/config/analysis/analyzers/virtualservice/util.go): tcp, tls, then http routes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from istio_notebook.analysis.util import as_dict, enumerate_dicts
from istio_notebook.config import Resource


@dataclass(frozen=True)
class Destination:
    path: tuple[str | int, ...]  # path of the ``destination`` mapping (or of ``mirror``)
    destination: dict

    @property
    def host(self) -> str:
        host = self.destination.get("host")
        return host if isinstance(host, str) else ""

    @property
    def subset(self) -> str:
        subset = self.destination.get("subset")
        return subset if isinstance(subset, str) else ""

    @property
    def port(self) -> object:
        return as_dict(self.destination.get("port")).get("number")

    def field(self, name: str) -> tuple[str | int, ...]:
        return self.path + (name,)


def route_destinations(vs: Resource) -> Iterator[Destination]:
    for section in ("tcp", "tls", "http"):
        for i, rule in enumerate_dicts(vs.get("spec", section)):
            for j, route in enumerate_dicts(rule.get("route")):
                destination = route.get("destination")
                if isinstance(destination, dict):
                    yield Destination(("spec", section, i, "route", j, "destination"), destination)


def mirror_destinations(vs: Resource) -> Iterator[Destination]:
    for i, rule in enumerate_dicts(vs.get("spec", "http")):
        mirror = rule.get("mirror")
        if isinstance(mirror, dict):
            yield Destination(("spec", "http", i, "mirror"), mirror)
        for j, entry in enumerate_dicts(rule.get("mirrors")):
            destination = entry.get("destination")
            if isinstance(destination, dict):
                yield Destination(("spec", "http", i, "mirrors", j, "destination"), destination)


def gateway_refs(vs: Resource) -> list[str]:
    """The VS's gateways; none means ``mesh`` (sidecars only)."""
    gateways = vs.get("spec", "gateways")
    if not isinstance(gateways, list) or not gateways:
        return []
    return [g for g in gateways if isinstance(g, str)]
