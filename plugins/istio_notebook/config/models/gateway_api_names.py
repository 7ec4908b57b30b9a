"""Names of the Gateway API classes that several places share (read by ``generate_gateway_api.py``).

The CRDs inline Gateway API's Go types, so the generator sees the same object schema at several
paths. A shared schema takes the name of the Go type it comes from (kubernetes-sigs/gateway-api
v1.5.1 apis/v1, apis/v1alpha2), keyed here by the first path the generator meets it at. Where
two Go types have one shape (ParametersReference and ObjectReference: group, kind, name,
namespace), the class takes the more general name. A shared schema missing here stops the
generator, so a new Gateway API version cannot slip in an invented name.
"""

from __future__ import annotations

NAMES: dict[str, str] = {
    "GatewayClassSpecParametersRef": "ObjectReference",  # ParametersReference, caCertificateRefs
    "GatewaySpecAllowedListenersNamespacesSelectorMatchExpressions": "LabelSelectorRequirement",  # apimachinery
    "GatewaySpecAllowedListenersNamespacesSelector": "LabelSelector",
    "GatewaySpecInfrastructureParametersRef": "LocalObjectReference",  # LocalParametersReference, extensionRef
    "GatewaySpecListenersTlsCertificateRefs": "SecretObjectReference",
    "GatewaySpecTlsFrontendDefaultValidation": "FrontendTLSValidation",
    "GatewaySpecTlsFrontendDefault": "TLSConfig",
    "HTTPRouteSpecParentRefs": "ParentReference",
    "HTTPRouteSpecRulesBackendRefsFiltersCors": "HTTPCORSFilter",
    "HTTPRouteSpecRulesBackendRefsFiltersExternalAuthBackendRef": "BackendObjectReference",
    "HTTPRouteSpecRulesBackendRefsFiltersExternalAuthForwardBody": "ForwardBodyConfig",
    "HTTPRouteSpecRulesBackendRefsFiltersExternalAuthGrpc": "GRPCAuthConfig",
    "HTTPRouteSpecRulesBackendRefsFiltersExternalAuthHttp": "HTTPAuthConfig",
    "HTTPRouteSpecRulesBackendRefsFiltersExternalAuth": "HTTPExternalAuthFilter",
    "HTTPRouteSpecRulesBackendRefsFiltersRequestHeaderModifierAdd": "HTTPHeader",  # add and set, requests and responses
    "HTTPRouteSpecRulesBackendRefsFiltersRequestHeaderModifier": "HTTPHeaderFilter",
    "HTTPRouteSpecRulesBackendRefsFiltersRequestMirrorFraction": "Fraction",
    "HTTPRouteSpecRulesBackendRefsFiltersRequestMirror": "HTTPRequestMirrorFilter",
    "HTTPRouteSpecRulesBackendRefsFiltersRequestRedirectPath": "HTTPPathModifier",
    "HTTPRouteSpecRulesBackendRefsFiltersRequestRedirect": "HTTPRequestRedirectFilter",
    "HTTPRouteSpecRulesBackendRefsFiltersUrlRewrite": "HTTPURLRewriteFilter",
    "HTTPRouteSpecRulesBackendRefsFilters": "HTTPRouteFilter",
    "HTTPRouteSpecRulesSessionPersistenceCookieConfig": "CookieConfig",
    "HTTPRouteSpecRulesSessionPersistence": "SessionPersistence",
    "GRPCRouteSpecRulesBackendRefsFilters": "GRPCRouteFilter",
    "TLSRouteSpecRulesBackendRefs": "BackendRef",
    "TLSRouteSpecRules": "L4RouteRule",  # TLSRouteRule (v1) and TCPRouteRule (v1alpha2) have one shape
}


def shared_name(places: list[tuple[str, str]]) -> str:
    """The class name of a schema met at ``places`` ((kind, path name) in the order met)."""
    first = places[0][1]
    if first not in NAMES:
        where = ", ".join(name for _, name in places)
        raise ValueError(f"no name for the schema shared by {where}: add its Gateway API Go type to NAMES under {first!r}")
    return NAMES[first]
