"""Which VirtualService field each part of a translated route came from (envoy/translate_sources.py),
and the parallel view built from it (markdown/parallel.py): the Envoy tab's 対訳.

Istio's mapping (pilot/pkg/networking/core/route/route.go at 1.30.x): match.uri → the route's path
specifier, match.headers → header matchers, method → the :method header, route[] → cluster or
weighted_clusters, retries → retry_policy (num_retries ← attempts, retry_on ← retryOn,
per_try_timeout ← perTryTimeout; the host predicate and selection attempts are Istio's own),
timeout → timeout (and max_grpc_timeout); with no timeout Istio writes "0s" itself, and with no
retries its default policy (retry/retry.go DefaultPolicy).
"""

from collections import Counter
from pathlib import Path

import yaml

from istio_notebook.config import Mesh, Origin, load_text
from istio_notebook.envoy.routes import envoy_route
from istio_notebook.envoy.translate_sources import route_sources, virtual_service_routes
from istio_notebook.markdown.parallel import leaves, parallel
from istio_notebook.routing import Proxy, build_table

FIXTURE = (Path(__file__).parents[1] / "mkdocs" / "golden" / "fixtures" / "reviews.yaml").read_text(encoding="utf-8")

VS = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: default
spec:
  hosts: [reviews]
  http:
  - name: canary
    match:
    - uri: {prefix: /api}
      method: {exact: POST}
      headers:
        End-User: {exact: jason}
    route:
    - destination: {host: reviews, subset: v1}
      weight: 80
    - destination: {host: reviews, subset: v2}
      weight: 20
    retries:
      attempts: 3
      perTryTimeout: 2s
    timeout: 10s
  - route:
    - destination: {host: reviews, subset: v1}
"""
VS_FIRST_LINE = 101  # the file line the VirtualService text starts at (as in a Markdown fence)


def scenario():
    vs = load_text(VS, Origin("page.md", line_offset=VS_FIRST_LINE - 1)).resources
    fixture = load_text(FIXTURE, Origin("reviews.yaml")).resources
    mesh = Mesh(fixture + vs)
    return mesh, mesh.get("VirtualService", "default", "reviews"), build_table(mesh, Proxy.sidecar("default"))


def routes_of(table, key="default/reviews"):
    return [r for c in table.route_configs for v in c.virtual_hosts for r in v.routes if r.origin.virtual_service == key]


def test_each_written_path_names_the_field_that_produced_it_or_none_for_istio_own_values():
    _, _, table = scenario()
    first, second = routes_of(table)
    written = envoy_route(first)
    sources = {s.envoy: s.field for s in route_sources(first, written)}
    rule = ("spec", "http", 0)
    assert sources[("match", "prefix")] == rule + ("match", 0, "uri")
    # Header matchers in the table's order: :method first (route.go translateRouteMatch), then headers by their YAML key.
    assert [written["match"]["headers"][k]["name"] for k in (0, 1)] == [":method", "end-user"]
    assert sources[("match", "headers", 0)] == rule + ("match", 0, "method")
    assert sources[("match", "headers", 1)] == rule + ("match", 0, "headers", "End-User")
    assert sources[("route", "weighted_clusters", "clusters", 1)] == rule + ("route", 1)
    assert sources[("route", "weighted_clusters", "clusters", 1, "weight")] == rule + ("route", 1, "weight")
    assert sources[("route", "retry_policy", "num_retries")] == rule + ("retries", "attempts")
    assert sources[("route", "retry_policy", "per_try_timeout")] == rule + ("retries", "perTryTimeout")
    assert sources[("route", "retry_policy")] is None  # the host predicate and selection attempts are Istio's
    assert sources[("route", "retry_policy", "retry_on")] is None  # retryOn unset: Istio's default conditions
    assert sources[("route", "timeout")] == rule + ("timeout",)
    assert sources[("name",)] == rule + ("name",)
    # The catch-all rule: no uri (Istio's prefix "/"), no timeout ("0s"), no retries (the default policy).
    defaults = {s.envoy: s.field for s in route_sources(second, envoy_route(second))}
    assert defaults[("match", "prefix")] is None and defaults[("route", "timeout")] is None
    assert defaults[("route", "retry_policy")] is None
    assert defaults[("route", "cluster")] == ("spec", "http", 1, "route", 0, "destination")


def test_the_parallel_view_links_yaml_lines_to_the_envoy_lines_they_produced():
    _, vs, table = scenario()
    document, sources = virtual_service_routes(table, vs)
    view = parallel(document, sources, vs, VS_FIRST_LINE)
    yaml_lines, envoy_lines = VS.splitlines(), view.text.splitlines()

    def produced(needle):
        (line,) = [i + 1 for i, text in enumerate(yaml_lines) if needle in text]
        found = [p for p in view.pairs if p.yaml[0] <= line <= p.yaml[1]]
        return {envoy_lines[n - 1].strip() for p in found for n in p.envoy}

    assert "num_retries: 3" in produced("attempts: 3")
    assert "per_try_timeout: 2s" in produced("perTryTimeout: 2s")
    assert {"timeout: 10s", "max_grpc_timeout: 10s"} <= produced("timeout: 10s")
    assert "weight: 20" in produced("weight: 20")
    assert {"- name: end-user", "exact: jason"} <= produced("End-User")
    assert "prefix: /api" in produced("uri: {prefix: /api}")
    # What no field produced is folded away, not shown as the example's: the catch-all's prefix "/",
    # its "0s" timeout and Istio's default retry policy.
    assert "prefix: /\n" not in view.text and "prefix: /\n" in view.defaults
    assert "timeout: 0s" in view.defaults and "timeout: 0s" not in view.text
    assert "retry_host_predicate" in view.defaults and "retry_host_predicate" not in view.text


def test_the_two_halves_hold_every_leaf_of_the_translated_routes_once_and_defaults_say_whose_they_are():
    _, vs, table = scenario()
    document, sources = virtual_service_routes(table, vs)
    view = parallel(document, sources, vs, VS_FIRST_LINE)
    halves = Counter(repr(v) for text in (view.text, view.defaults) for _, v in leaves(yaml.safe_load(text)))
    extra = halves - Counter(repr(v) for _, v in leaves(document))
    assert not Counter(repr(v) for _, v in leaves(document)) - halves  # nothing lost
    # Only the names of the routes repeat: a default is shown under the route it belongs to.
    assert extra == Counter({repr("canary"): 1})


DR = """\
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
  namespace: default
spec:
  host: reviews
  trafficPolicy:
    loadBalancer: {simple: LEAST_REQUEST}
    connectionPool:
      http: {http2MaxRequests: 1000}
  subsets:
  - name: v1
    labels: {version: v1}
  - name: v2
    labels: {version: v2}
    trafficPolicy:
      loadBalancer: {simple: ROUND_ROBIN}
      tls: {mode: DISABLE}
"""


def test_a_cluster_field_comes_from_the_merge_level_that_won_it():
    # cluster_builder.go MergeTrafficPolicy: the subset's loadBalancer replaces the rule's; the
    # rule's connectionPool still applies to the subset; no tls anywhere but v2: auto mTLS is Istio's.
    from istio_notebook.envoy.excerpt import excerpt
    from istio_notebook.envoy.translate import envoy_config
    from istio_notebook.envoy.translate_sources import destination_rule_sources

    mesh = Mesh(load_text(FIXTURE, Origin("reviews.yaml")).resources + load_text(DR, Origin("page.md")).resources)
    dr = mesh.get("DestinationRule", "default", "reviews")
    proxy = Proxy.sidecar("default")
    part = excerpt(envoy_config(mesh, proxy), dr)
    names = [c["name"].split("|")[2] for c in part["clusters"]]
    sources = {s.envoy: s.field for s in destination_rule_sources(mesh, build_table(mesh, proxy), dr, part)}
    v1, v2 = ("clusters", names.index("v1")), ("clusters", names.index("v2"))
    assert sources[v1 + ("lb_policy",)] == ("spec", "trafficPolicy", "loadBalancer")
    assert sources[v2 + ("lb_policy",)] == ("spec", "subsets", 1, "trafficPolicy", "loadBalancer")
    assert sources[v2 + ("circuit_breakers", "thresholds", 0, "max_requests")] == ("spec", "trafficPolicy", "connectionPool", "http", "http2MaxRequests")
    assert sources[v1 + ("name",)] == ("spec", "subsets", 0, "name")
    assert sources[v1 + ("transport_socket",)] is None  # auto mTLS: Istio's ISTIO_MUTUAL, no field wrote it
    assert v2 + ("transport_socket",) not in sources  # DISABLE: no transport socket at all


GATEWAY = """\
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: shop
  namespace: default
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [shop.example.com]
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: [shop.example.com]
    tls: {mode: SIMPLE, credentialName: shop-cert}
"""


def test_a_gateway_listener_comes_from_its_server_port_and_a_tls_chain_from_hosts_and_tls():
    # gateway.go: a listener per (target) port, a filter chain per HTTPS server with its hosts as
    # server_names and its credentialName as the SDS certificate; the HTTP filters are Istio's.
    from istio_notebook.envoy.excerpt import excerpt
    from istio_notebook.envoy.translate import envoy_config
    from istio_notebook.envoy.translate_sources import gateway_sources

    ingress = (Path(__file__).parents[2] / "docs" / "fixtures" / "istio-ingressgateway.yaml").read_text(encoding="utf-8")
    mesh = Mesh(load_text(ingress, Origin("ingress.yaml")).resources + load_text(GATEWAY, Origin("page.md")).resources)
    gateway = mesh.get("Gateway", "default", "shop")
    proxy = Proxy.gateway("default", "shop")
    shown = excerpt(envoy_config(mesh, proxy), gateway)
    ports = [listener["address"]["socket_address"]["port_value"] for listener in shown["listeners"]]
    sources = {s.envoy: s.field for s in gateway_sources(build_table(mesh, proxy), gateway, shown)}
    http, https = ("listeners", ports.index(8080)), ("listeners", ports.index(8443))  # the Service's targetPorts
    assert sources[http + ("address", "socket_address", "port_value")] == ("spec", "servers", 0, "port", "number")
    assert sources[https + ("filter_chains", 0, "filter_chain_match", "server_names")] == ("spec", "servers", 1, "hosts")
    assert sources[https + ("filter_chains", 0, "transport_socket")] == ("spec", "servers", 1, "tls")
    assert http + ("filter_chains", 0, "transport_socket") not in sources  # plain HTTP: no socket written
    assert not any(path[-1] == "http_filters" for path in sources)  # Istio's filter list: no field of the Gateway


SNI = """\
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: external, namespace: default}
spec:
  hosts: [api.example.com, www.example.com]
  location: MESH_EXTERNAL
  resolution: DNS
  ports:
  - {number: 443, name: tls, protocol: TLS}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: by-sni, namespace: default}
spec:
  hosts: [api.example.com, www.example.com]
  tls:
  - match:
    - {port: 443, sniHosts: [api.example.com]}
    route:
    - destination: {host: api.example.com, port: {number: 443}}
  - match:
    - {port: 443, sniHosts: [www.example.com]}
    route:
    - destination: {host: www.example.com, port: {number: 443}}
"""


def test_a_tls_rule_becomes_a_filter_chain_matched_by_its_sni_hosts():
    # tls.go buildSidecarOutboundTLSFilterChainOpts: a chain per tls match, sniHosts as server_names,
    # a tcp_proxy to the rule's destination; the stat prefix and filter type are Istio's.
    from istio_notebook.envoy.excerpt import excerpt
    from istio_notebook.envoy.translate import envoy_config
    from istio_notebook.envoy.translate_sources import l4_sources

    mesh = Mesh(load_text(SNI, Origin("page.md")).resources)
    vs = mesh.get("VirtualService", "default", "by-sni")
    proxy = Proxy.sidecar("default")
    shown = excerpt(envoy_config(mesh, proxy), vs)
    (listener,) = shown["filter_chains"]
    names = [c["filter_chain_match"]["server_names"] for c in shown["filter_chains"][listener]]
    www = ("filter_chains", listener, names.index(["www.example.com"]))
    sources = {s.envoy: s.field for s in l4_sources(mesh, proxy, vs, shown)}
    assert sources[www + ("filter_chain_match", "server_names")] == ("spec", "tls", 1, "match", 0, "sniHosts")
    assert sources[www + ("filters", 0, "typed_config", "cluster")] == ("spec", "tls", 1, "route", 0, "destination")
    assert www + ("filters", 0, "typed_config", "stat_prefix") not in sources  # Istio's: the cluster's name


def test_a_service_entry_cluster_name_links_back_to_both_its_host_and_its_port():
    # cluster_builder.go buildOutboundClusters: a cluster per host and port, named outbound|port||host.
    from istio_notebook.envoy.excerpt import excerpt
    from istio_notebook.envoy.translate import envoy_config
    from istio_notebook.envoy.translate_sources import service_entry_sources

    mesh = Mesh(load_text(SNI, Origin("page.md")).resources)
    entry = mesh.get("ServiceEntry", "default", "external")
    part = excerpt(envoy_config(mesh, Proxy.sidecar("default")), entry)
    view = parallel(part, service_entry_sources(entry, part), entry, 1)
    yaml_lines, envoy_lines = SNI.splitlines(), view.text.splitlines()
    linked = {yaml_lines[p.yaml[0] - 1].strip(): {envoy_lines[n - 1].strip() for n in p.envoy} for p in view.pairs}
    assert "- name: outbound|443||www.example.com" in linked["hosts: [api.example.com, www.example.com]"]
    assert "service_name: outbound|443||www.example.com" in linked["- {number: 443, name: tls, protocol: TLS}"]
    assert "connect_timeout: 10s" in view.defaults and "connect_timeout" not in view.text
