"""Ingress and egress gateways: servers, hosts, merge order, redirects, two-hop egress."""

from __future__ import annotations

from routing_helpers import clusters, make_mesh, send

HTTPBIN_GATEWAY = """
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: httpbin-gateway, namespace: default}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [httpbin.example.com]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: httpbin, namespace: default}
spec:
  hosts: [httpbin.example.com]
  gateways: [httpbin-gateway]
  http:
  - match:
    - uri: {prefix: /status}
    - uri: {prefix: /delay}
    route:
    - destination: {host: httpbin, port: {number: 8000}}
"""
GW = "default/httpbin-gateway"


def test_ingress_host_and_path_routing():
    # https://istio.io/latest/docs/tasks/traffic-management/ingress/ingress-control/
    mesh = make_mesh(HTTPBIN_GATEWAY)
    ok = send(mesh, "GET http://httpbin.example.com/status/200", via=GW)
    assert clusters(ok) == [("outbound|8000||httpbin.default.svc.cluster.local", 100.0)]
    # "Accessing any other URL that has not been explicitly exposed ... should see an HTTP 404 error"
    assert (lambda o: (o["action"], o["status"]))(send(mesh, "GET http://httpbin.example.com/headers", via=GW)) == ("no_route", 404)
    # A Host the gateway does not serve: no virtual host ⇒ 404.
    assert send(mesh, "GET http://other.example.com/status/200", via=GW)["status"] == 404


def test_gateway_virtual_host_accepts_any_port_in_host_header():
    # gateway.go buildGatewayVirtualHostDomains: domains `host` and `host:*`.
    mesh = make_mesh(HTTPBIN_GATEWAY)
    assert send(mesh, "GET http://httpbin.example.com:80/status/1", "Host: httpbin.example.com:31380", via=GW)["action"] == "route"


def test_virtual_service_without_this_gateway_does_not_apply():
    mesh_only = HTTPBIN_GATEWAY.replace("gateways: [httpbin-gateway]", "gateways: [mesh]")
    out = send(make_mesh(mesh_only), "GET http://httpbin.example.com/status/200", via=GW)
    assert out["status"] == 404


def test_server_host_namespace_restricts_virtual_services():
    # Gateway reference, Server.hosts "namespace/dnsName": only VirtualServices of that namespace bind.
    restricted = HTTPBIN_GATEWAY.replace("hosts: [httpbin.example.com]\n---", "hosts: [foo/httpbin.example.com]\n---")
    assert send(make_mesh(restricted), "GET http://httpbin.example.com/status/200", via=GW)["status"] == 404


HTTPS_REDIRECT = """
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: secure, namespace: default}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [bookinfo.example.com]
    tls: {httpsRedirect: true}
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: [bookinfo.example.com]
    tls: {mode: SIMPLE, credentialName: bookinfo-cert}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: bookinfo, namespace: default}
spec:
  hosts: [bookinfo.example.com]
  gateways: [secure]
  http:
  - route:
    - destination: {host: productpage}
"""


def test_https_redirect_answers_301_and_https_routes():
    # https://istio.io/latest/docs/reference/config/networking/gateway/#ServerTLSSettings (httpsRedirect)
    mesh = make_mesh(HTTPS_REDIRECT)
    plain = send(mesh, "GET http://bookinfo.example.com/productpage?u=1", via="default/secure")
    assert plain["redirect"] == {"location": "https://bookinfo.example.com/productpage?u=1", "status": 301}
    assert (plain["action"], plain["status"]) == ("redirect", 301)
    secure = send(mesh, "GET https://bookinfo.example.com/productpage", via="default/secure")
    assert clusters(secure) == [("outbound|9080||productpage.default.svc.cluster.local", 100.0)]


def gateway_vs(name: str, http: str) -> str:
    return f"""
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: {name}, namespace: default}}
spec:
  hosts: [httpbin.example.com]
  gateways: [httpbin-gateway]
  http:
{http}"""


def test_gateway_merges_virtual_services_and_moves_catch_alls_last():
    # gateway.go: VirtualServices for one host are concatenated (route.CombineVHostRoutes puts
    # catch-all routes at the end), unlike sidecars where the first one wins.
    base = HTTPBIN_GATEWAY.split("---")[0]
    first = gateway_vs("catch-all", """  - route:
    - destination: {host: httpbin, port: {number: 8000}}
""")
    second = gateway_vs("api", """  - match:
    - uri: {prefix: /api}
    route:
    - destination: {host: httpbin.foo.svc.cluster.local, port: {number: 8000}}
""")
    mesh = make_mesh(base, first, second)
    api = send(mesh, "GET http://httpbin.example.com/api/x", via=GW)
    assert api["virtual_service"] == "default/api"
    other = send(mesh, "GET http://httpbin.example.com/else", via=GW)
    assert other["virtual_service"] == "default/catch-all"


def test_gateways_selecting_the_same_workload_merge():
    # pilot/pkg/model/gateway.go MergeGateways: all Gateways selecting one workload configure it.
    extra = """
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: second, namespace: default}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [second.example.com]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: second, namespace: default}
spec:
  hosts: [second.example.com]
  gateways: [second]
  http:
  - route:
    - destination: {host: details}
"""
    mesh = make_mesh(HTTPBIN_GATEWAY, extra)
    out = send(mesh, "GET http://second.example.com/", via=GW)
    assert clusters(out) == [("outbound|9080||details.default.svc.cluster.local", 100.0)]


EGRESS = """
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: httpbin-ext, namespace: default}
spec:
  hosts: [httpbin.org]
  ports: [{number: 80, name: http, protocol: HTTP}]
  resolution: DNS
  location: MESH_EXTERNAL
"""


def test_service_entry_makes_an_external_host_routable():
    # https://istio.io/latest/docs/tasks/traffic-management/egress/egress-control/#access-an-external-http-service
    out = send(make_mesh(EGRESS), "GET http://httpbin.org/headers")
    assert clusters(out) == [("outbound|80||httpbin.org", 100.0)]
    assert out["policy"]["tls"] == {"mode": "DISABLE", "auto": True}


REGISTRY_ONLY = """
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: default}
spec:
  outboundTrafficPolicy: {mode: REGISTRY_ONLY}
"""


def test_registry_only_blackholes_unknown_hosts_with_502():
    # https://istio.io/latest/docs/tasks/traffic-management/egress/egress-control/#change-to-the-blocking-by-default-policy
    mesh = make_mesh(REGISTRY_ONLY)
    out = send(mesh, "GET http://example.com/")
    assert (out["action"], out["status"]) == ("blackhole", 502)
    assert send(make_mesh(REGISTRY_ONLY, EGRESS), "GET http://httpbin.org/")["action"] == "route"


def test_mesh_config_outbound_policy_from_istio_operator():
    operator = """
apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
metadata: {name: control-plane, namespace: istio-system}
spec:
  meshConfig:
    outboundTrafficPolicy: {mode: REGISTRY_ONLY}
"""
    assert send(make_mesh(operator), "GET http://example.com/")["action"] == "blackhole"


EGRESS_GATEWAY = EGRESS.replace("httpbin.org", "edition.cnn.com").replace("httpbin-ext", "cnn") + """---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: istio-egressgateway, namespace: default}
spec:
  selector: {istio: egressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [edition.cnn.com]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: direct-cnn-through-egress-gateway, namespace: default}
spec:
  hosts: [edition.cnn.com]
  gateways: [istio-egressgateway, mesh]
  http:
  - match:
    - gateways: [mesh]
      port: 80
    route:
    - destination: {host: istio-egressgateway.istio-system.svc.cluster.local, port: {number: 80}}
  - match:
    - gateways: [istio-egressgateway]
      port: 80
    route:
    - destination: {host: edition.cnn.com, port: {number: 80}}
      weight: 100
"""


def test_egress_gateway_two_hops():
    # https://istio.io/latest/docs/tasks/traffic-management/egress/egress-gateway/#egress-gateway-for-http-traffic
    mesh = make_mesh(EGRESS_GATEWAY)
    hop1 = send(mesh, "GET http://edition.cnn.com/politics", source="default/app=sleep")
    assert clusters(hop1) == [("outbound|80||istio-egressgateway.istio-system.svc.cluster.local", 100.0)]
    hop2 = send(mesh, "GET http://edition.cnn.com/politics", via="default/istio-egressgateway")
    assert clusters(hop2) == [("outbound|80||edition.cnn.com", 100.0)]
    assert hop2["route_index"] == 1


def test_https_from_the_application_is_forwarded_by_sni_without_http_routing():
    # https://istio.io/latest/docs/tasks/traffic-management/egress/egress-control/#access-an-external-https-service
    tls_entry = """
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: google, namespace: default}
spec:
  hosts: [www.google.com]
  ports: [{number: 443, name: https, protocol: HTTPS}]
  resolution: DNS
"""
    vs_ignored = """
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: google, namespace: default}
spec:
  hosts: [www.google.com]
  http:
  - route: [{destination: {host: www.google.com, port: {number: 443}}}]
    timeout: 3s
"""
    out = send(make_mesh(tls_entry, vs_ignored), "GET https://www.google.com/")
    assert clusters(out) == [("outbound|443||www.google.com", 100.0)]
    assert out["virtual_service"] is None and out["timeout"] is None
    assert send(make_mesh(REGISTRY_ONLY), "GET https://www.google.com/")["action"] == "blackhole"


def test_gateway_looks_up_destination_rules_from_its_workload_namespace():
    # A gateway proxy's config namespace is its pod's (istio-system), not the Gateway resource's.
    rule = """
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: httpbin-from-gateways, namespace: istio-system}
spec:
  host: httpbin.default.svc.cluster.local
  trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}
"""
    out = send(make_mesh(HTTPBIN_GATEWAY, rule), "GET http://httpbin.example.com/status/200", via=GW)
    assert out["policy"]["destination_rules"] == ["istio-system/httpbin-from-gateways"]
    assert out["policy"]["scope"] == "client namespace"


def test_a_gateway_server_that_is_not_http_says_so_in_the_trace():
    # Build notes are filed by their arguments (vs, vhost), not by their English text: this one is
    # about a server, so it is general and reaches every trace of the gateway.
    gateway = """
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: tls-only, namespace: default}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 443, name: tls, protocol: TLS}
    hosts: ["*.example.com"]
    tls: {mode: PASSTHROUGH}
"""
    trace = send(make_mesh(gateway), "GET https://a.example.com/", via="default/tls-only")["trace"]
    assert "build: default/tls-only servers[0]: port 443 TLS is not HTTP-routed (TLS passthrough/TCP)" in trace
