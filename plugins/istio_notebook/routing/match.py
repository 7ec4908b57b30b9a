"""Evaluate a request against a route table the way Envoy does.

Virtual host selection (Envoy route_config: exact domain, then the longest suffix wildcard
`*.foo.com`, then the longest prefix wildcard `foo.*`, then `*`; case-insensitive; the port
dropped first when ignore_port_in_host_matching) is indexed per route config, so a lookup costs
O(labels), not O(virtual hosts). Routes within a virtual host: first match wins.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from istio_notebook.routing.request import Request
from istio_notebook.routing.table import (
    HeaderMatch,
    RouteConfig,
    RouteMatch,
    VirtualHost,
)


def header_matches(h: HeaderMatch, request: Request) -> bool:
    """Any value of a repeated header may match (Request.header_values); invert negates that."""
    values = request.header_values(h.name)
    if not values and h.treat_missing_as_empty and not h.match.presence:
        values = ("",)
    matched = any(h.match.matches(value) for value in values)
    return matched != h.invert


class Mismatch(NamedTuple):
    """The first condition of a route's match that a request fails (the trace says why from it)."""

    part: str  # "path" | "header" | "query"
    condition: Any  # the path's Matcher, the HeaderMatch or the QueryMatch


def mismatch(match: RouteMatch, request: Request) -> Mismatch | None:
    """Path (query string and fragment removed), then headers, then query parameters: the first
    that fails, or None when the route takes the request."""
    if not match.path.matches(request.path):
        return Mismatch("path", match.path)
    for h in match.headers:
        if not header_matches(h, request):
            return Mismatch("header", h)
    if match.query:
        params = request.query_params()
        for q in match.query:
            if q.name not in params or not q.match.matches(params[q.name]):
                return Mismatch("query", q)
    return None


def route_matches(match: RouteMatch, request: Request) -> bool:
    return mismatch(match, request) is None


class DomainIndex:
    def __init__(self, config: RouteConfig):
        self.exact: dict[str, VirtualHost] = {}
        self.suffix: list[tuple[str, VirtualHost]] = []  # "*.foo.com" stored as ".foo.com"
        self.prefix: list[tuple[str, VirtualHost]] = []  # "foo.*" stored as "foo."
        self.star: VirtualHost | None = None
        for vhost in config.virtual_hosts:
            for domain in vhost.domains:
                d = domain.lower()
                if d == "*":
                    self.star = self.star or vhost
                elif d.startswith("*"):
                    self.suffix.append((d[1:], vhost))
                elif d.endswith("*"):
                    self.prefix.append((d[:-1], vhost))
                else:
                    self.exact.setdefault(d, vhost)
        # Longest wildcard first; Envoy keeps the first virtual host for equal domains.
        self.suffix.sort(key=lambda item: -len(item[0]))
        self.prefix.sort(key=lambda item: -len(item[0]))
        self._suffix_map: dict[str, VirtualHost] = {}
        for suffix, vhost in self.suffix:
            self._suffix_map.setdefault(suffix, vhost)

    def lookup(self, host: str) -> VirtualHost | None:
        host = host.lower()
        found = self.exact.get(host)
        if found is not None:
            return found
        # Suffix wildcards: try every proper suffix of the host, longest first (O(len(host))).
        if self._suffix_map:
            for i in range(1, len(host)):
                vhost = self._suffix_map.get(host[i:])
                if vhost is not None:
                    return vhost
        for prefix, vhost in self.prefix:
            if len(host) > len(prefix) and host.startswith(prefix):
                return vhost
        return self.star


def strip_port(authority: str) -> str:
    if authority.startswith("["):
        end = authority.find("]")
        return authority[: end + 1] if end > 0 else authority
    host, colon, port = authority.rpartition(":")
    return host if colon and port.isdigit() else authority


def select_virtual_host(config: RouteConfig, authority: str) -> VirtualHost | None:
    index = getattr(config, "_domain_index", None)
    if index is None:
        index = DomainIndex(config)
        object.__setattr__(config, "_domain_index", index)
    host = strip_port(authority) if config.ignore_port_in_host_matching else authority
    return index.lookup(host)
