"""Gateway API front-end: Gateway, HTTPRoute, GRPCRoute, ... → istiod's internal Gateways and VirtualServices.

istiod does not route Gateway API resources itself: it converts them into its own Gateways and
VirtualServices (marked with gateway semantics) and builds Envoy config from those
(istio/istio pilot/pkg/config/kube/gateway). This package does the same, so the routing core,
the simulator and the Envoy translator see one kind of input. Modules: listeners (Gateway →
servers, parents), attach (parentRefs → accepted parents and status reasons), rules (one rule →
one Istio http route), backends (backendRefs, ReferenceGrant via grants), virtualservices
(merge and precedence), l4 (TLSRoute / TCPRoute → tls / tcp routes), synthetic (generated
resources located at their source), convert (entry).
"""

from istio_notebook.gatewayapi.convert import (
    conversion_of,
    convert,
    effective_mesh,
    from_tls_route,
    gateway_semantics,
    gateways_named,
    route_ref,
)
from istio_notebook.gatewayapi.model import Conversion, Problem, RouteRef

__all__ = [
    "Conversion",
    "Problem",
    "RouteRef",
    "conversion_of",
    "convert",
    "effective_mesh",
    "from_tls_route",
    "gateway_semantics",
    "gateways_named",
    "route_ref",
]
