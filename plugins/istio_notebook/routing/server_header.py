"""The ``server`` response header: the HTTP connection manager writes it after the route.

istiod configures every HTTP connection manager with server_header_transformation OVERWRITE
(pilot/pkg/networking/util/proxy_headers.go GetProxyHeadersFromProxyConfig at 1.30.3; server name
``envoy`` on sidecar outbound listeners, ``istio-envoy`` elsewhere), and Envoy applies it when it
encodes the response, after the router has applied the route's response header changes (Envoy
docs, HttpConnectionManager server_header_transformation; replayed on Envoy 1.40:
tests/envoy/test_response_headers.py). So a VirtualService ``headers.response`` set, add or
remove of ``server`` never reaches the client. ProxyConfig ``proxyHeaders.server`` (disabled:
PASS_THROUGH, or another name) is not read: the default applies.
"""

from __future__ import annotations

from istio_notebook.routing.outcome import HeaderChanges, HeaderOps

SERVER = "server"


def without_server(headers: HeaderChanges | None) -> tuple[HeaderChanges | None, bool]:
    """``headers`` without response operations on ``server``, and whether there were some."""
    ops = headers.response if headers is not None else None
    if headers is None or ops is None:
        return headers, False
    other = lambda name: name.lower() != SERVER
    kept = HeaderOps(tuple(p for p in ops.set if other(p[0])), tuple(p for p in ops.add if other(p[0])),
                     tuple(k for k in ops.remove if other(k)))
    if kept == ops:
        return headers, False
    response = kept if kept.set or kept.add or kept.remove else None
    return (HeaderChanges(headers.request, response) if headers.request or response else None), True
