"""Routing simulator: where a request goes through an Istio gateway or sidecar.

Public API: ``Request``, ``RequestError``, ``Proxy``, ``route``, ``RouteOutcome``, ``build_table``.
"""

from istio_notebook.routing.build import build_table
from istio_notebook.routing.proxy import Proxy
from istio_notebook.routing.request import Request, RequestError
from istio_notebook.routing.simulate import RouteOutcome, route

__all__ = ["Proxy", "Request", "RequestError", "RouteOutcome", "build_table", "route"]
