"""VirtualService matching and ordering rules that surprise people, pinned to Istio's sources."""

from __future__ import annotations

import pytest
from routing_helpers import clusters, make_mesh, send

REVIEWS = "reviews.default.svc.cluster.local"


def vs(http: str, name: str = "reviews", hosts: str = "[reviews]", namespace: str = "default", extra: str = "") -> str:
    return f"""
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  hosts: {hosts}
{extra}  http:
{http}"""


REWRITE_NO_MATCH = vs("""  - rewrite: {uri: /v2}
    route:
    - destination: {host: reviews}
""")


def test_rewrite_without_uri_match_replaces_only_the_leading_slash():
    # No uri match ⇒ Istio matches prefix "/" and Envoy's prefix_rewrite swaps that "/"
    # (istio/istio pilot/pkg/networking/core/route/route.go translateRoute; ISTIO-SEMANTICS.md).
    out = send(make_mesh(REWRITE_NO_MATCH), "GET http://reviews:9080/foo")
    assert out["rewrite"] == {"uri": "/v2foo", "authority": None}


@pytest.mark.parametrize(
    ("uri_match", "path", "expected"),
    [
        ("{prefix: /reviews}", "/reviews/1", "/v2/1"),
        ("{prefix: /reviews}", "/reviews/1?x=1", "/v2/1?x=1"),  # the query string is kept
        ("{exact: /reviews}", "/reviews", "/v2"),
    ],
)
def test_rewrite_replaces_the_matched_prefix_or_the_whole_exact_path(uri_match, path, expected):
    # https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRewrite
    mesh = make_mesh(vs(f"""  - match:
    - uri: {uri_match}
    rewrite: {{uri: /v2}}
    route:
    - destination: {{host: reviews}}
"""))
    assert send(mesh, f"GET http://reviews:9080{path}")["rewrite"]["uri"] == expected


def test_uri_regex_rewrite_and_authority_rewrite():
    # https://istio.io/latest/docs/reference/config/networking/virtual-service/#RegexRewrite
    mesh = make_mesh(vs("""  - rewrite:
      uriRegexRewrite: {match: '^/service/([^/]+)(/.*)$', rewrite: '\\2/instance/\\1'}
      authority: api.internal
    route:
    - destination: {host: reviews}
"""))
    out = send(mesh, "GET http://reviews:9080/service/foo/v1/api")
    assert out["rewrite"] == {"uri": "/v1/api/instance/foo", "authority": "api.internal"}


def test_regex_must_match_the_whole_path():
    # Envoy safe_regex is a full match (istio.io VirtualService reference, StringMatch.regex: RE2).
    mesh = make_mesh(vs("""  - match:
    - uri: {regex: '/reviews/[0-9]+'}
    route:
    - destination: {host: reviews, subset: v2}
"""))
    assert send(mesh, "GET http://reviews:9080/reviews/12")["action"] == "route"
    partial = send(mesh, "GET http://reviews:9080/reviews/12/extra")
    assert (partial["action"], partial["status"]) == ("no_route", 404)


def test_a_regex_re2_rejects_matches_nothing_and_prints_nothing(capfd):
    # The validator reports the bad regex; the simulator skips the match without RE2's own
    # stderr log lines ("re2.cc: Error parsing ..."), which would litter `istio-notebook route`.
    mesh = make_mesh(vs("""  - match:
    - uri: {regex: '/reviews/(unclosed'}
    route:
    - destination: {host: reviews, subset: v2}
"""))
    out = send(mesh, "GET http://reviews:9080/reviews/(unclosed")
    assert (out["action"], out["status"]) == ("no_route", 404)
    assert "re2" not in capfd.readouterr().err


def test_path_matches_ignore_the_query_string():
    # Checked on real Envoy 1.40 (ISTIO-SEMANTICS.md): exact /q matches /q?x=1; prefix "/q?x" never matches.
    mesh = make_mesh(vs("""  - match:
    - uri: {exact: /q}
    route:
    - destination: {host: reviews, subset: v2}
  - match:
    - uri: {prefix: '/r?x'}
    route:
    - destination: {host: reviews, subset: v3}
"""))
    assert send(mesh, "GET http://reviews:9080/q?x=1")["route_index"] == 0
    assert send(mesh, "GET http://reviews:9080/r?x=1")["action"] == "no_route"


def test_ignore_uri_case_applies_to_exact_and_prefix():
    mesh = make_mesh(vs("""  - match:
    - uri: {prefix: /Reviews}
      ignoreUriCase: true
    route:
    - destination: {host: reviews, subset: v2}
"""))
    assert send(mesh, "GET http://reviews:9080/REVIEWS/1")["action"] == "route"


def test_query_parameters_exact_regex_and_empty_value():
    # https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPMatchRequest (queryParams)
    mesh = make_mesh(vs("""  - match:
    - queryParams:
        debug: {exact: ""}
    route:
    - destination: {host: reviews, subset: v3}
  - match:
    - queryParams:
        user: {regex: 'j.*'}
    route:
    - destination: {host: reviews, subset: v2}
  - route:
    - destination: {host: reviews, subset: v1}
"""))
    assert send(mesh, "GET http://reviews:9080/?debug")["route_index"] == 0
    assert send(mesh, "GET http://reviews:9080/?user=jason")["route_index"] == 1
    assert send(mesh, "GET http://reviews:9080/?user=mary")["route_index"] == 2


def test_header_presence_and_without_headers():
    # headers {} = presence; withoutHeaders inverts (VirtualService reference, HTTPMatchRequest.withoutHeaders).
    mesh = make_mesh(vs("""  - match:
    - headers:
        x-canary: {}
    route:
    - destination: {host: reviews, subset: v3}
  - match:
    - withoutHeaders:
        end-user: {exact: jason}
    route:
    - destination: {host: reviews, subset: v1}
  - route:
    - destination: {host: reviews, subset: v2}
"""))
    assert send(mesh, "GET http://reviews:9080/", "x-canary: ")["route_index"] == 0
    assert send(mesh, "GET http://reviews:9080/")["route_index"] == 1  # missing header counts as not jason
    assert send(mesh, "GET http://reviews:9080/", "end-user: jason")["route_index"] == 2


def test_method_and_authority_match_pseudo_headers():
    mesh = make_mesh(vs("""  - match:
    - method: {exact: POST}
    route:
    - destination: {host: reviews, subset: v2}
  - route:
    - destination: {host: reviews, subset: v1}
"""))
    assert send(mesh, "POST http://reviews:9080/")["route_index"] == 0
    assert send(mesh, "GET http://reviews:9080/")["route_index"] == 1


def test_a_catch_all_hides_later_rules():
    # IST0130 (istioctl analyze): a rule without match is a catch-all; later rules are unreachable.
    mesh = make_mesh(vs("""  - route:
    - destination: {host: reviews, subset: v1}
  - match:
    - headers:
        end-user: {exact: jason}
    route:
    - destination: {host: reviews, subset: v2}
"""))
    assert send(mesh, "GET http://reviews:9080/", "end-user: jason")["route_index"] == 0


def test_sidecar_takes_the_oldest_virtual_service_for_a_host():
    # Sidecars do not merge VirtualServices for one host: the first (oldest) wins; IST0109 warns.
    # (istio/istio pilot/pkg/networking/core/httproute.go: a duplicate virtual host is dropped)
    first = vs("""  - route:
    - destination: {host: reviews, subset: v1}
""", name="reviews-a")
    second = vs("""  - match:
    - uri: {prefix: /special}
    route:
    - destination: {host: reviews, subset: v3}
""", name="reviews-b")
    out = send(make_mesh(first, second), "GET http://reviews:9080/special")
    assert out["virtual_service"] == "default/reviews-a"
    swapped = send(make_mesh(second, first), "GET http://reviews:9080/other")
    assert (swapped["virtual_service"], swapped["action"], swapped["status"]) == (None, "no_route", 404)


def test_equal_creation_times_are_ordered_by_name_then_namespace_not_by_file_position():
    # pilot/pkg/model/config.go sortConfigByCreationTime (1.30.3): equal CreationTimestamps (seconds,
    # so one `kubectl apply` gives many) fall back to Name, then Namespace. Files without a
    # timestamp keep their input order as the creation order (the test above).
    stamp = "metadata: {name: NAME, namespace: default, creationTimestamp: '2026-01-01T00:00:00Z'}"
    first = vs("""  - route:
    - destination: {host: reviews, subset: v1}
""", name="reviews-a").replace("metadata: {name: reviews-a, namespace: default}", stamp.replace("NAME", "reviews-a"))
    second = vs("""  - route:
    - destination: {host: reviews, subset: v3}
""", name="reviews-b").replace("metadata: {name: reviews-b, namespace: default}", stamp.replace("NAME", "reviews-b"))
    assert "creationTimestamp" in first and "creationTimestamp" in second
    for order in ((first, second), (second, first)):
        assert send(make_mesh(*order), "GET http://reviews:9080/")["virtual_service"] == "default/reviews-a"


def test_source_labels_are_applied_when_the_config_is_built():
    # HTTPMatchRequest.sourceLabels: a match for other workloads is dropped from this sidecar's config.
    mesh = make_mesh(vs("""  - match:
    - sourceLabels: {app: productpage}
    route:
    - destination: {host: reviews, subset: v2}
  - route:
    - destination: {host: reviews, subset: v1}
"""))
    assert send(mesh, "GET http://reviews:9080/", source="default/app=productpage")["route_index"] == 0
    assert send(mesh, "GET http://reviews:9080/", source="default/app=ratings")["route_index"] == 1


def test_all_matches_filtered_means_the_host_falls_back_to_passthrough():
    # httproute.go: "If none of the routes matched by source, skip this virtual host" — the
    # service is claimed by the VirtualService, so no default route either.
    mesh = make_mesh(vs("""  - match:
    - sourceLabels: {app: productpage}
    route:
    - destination: {host: reviews, subset: v2}
"""))
    assert send(mesh, "GET http://reviews:9080/", source="default/app=ratings")["action"] == "passthrough"


def test_missing_subset_is_a_503():
    # No DestinationRule subset ⇒ no Envoy cluster ⇒ 503 NC (istio.io traffic-management problems page).
    mesh = make_mesh(vs("""  - route:
    - destination: {host: reviews, subset: v9}
"""))
    out = send(mesh, "GET http://reviews:9080/")
    assert (out["action"], out["status"]) == ("route", 503)
    assert out["destinations"][0]["cluster"] == f"outbound|9080|v9|{REVIEWS}"


def test_unknown_host_passes_through_under_allow_any():
    # Default outboundTrafficPolicy ALLOW_ANY: https://istio.io/latest/docs/tasks/traffic-management/egress/egress-control/
    out = send(make_mesh(), "GET http://example.com/")
    assert out["action"] == "passthrough" and out["status"] is None


def test_short_name_only_resolves_in_the_clients_namespace():
    # generateAltVirtualHostsForKubernetesService: other namespaces get name.ns and name.ns.svc, never the short name.
    mesh = make_mesh()
    assert send(mesh, "GET http://httpbin.foo:8000/", source="default")["destinations"][0]["host"] == "httpbin.foo.svc.cluster.local"
    assert send(mesh, "GET http://httpbin:8000/", source="foo")["destinations"][0]["host"] == "httpbin.foo.svc.cluster.local"
    assert send(mesh, "GET http://reviews:9080/", source="foo")["action"] == "passthrough"
    assert send(mesh, "GET http://reviews.default.svc:9080/", source="foo")["action"] == "route"


def test_export_to_dot_hides_a_virtual_service_from_other_namespaces():
    # https://istio.io/latest/docs/reference/config/networking/virtual-service/#VirtualService (exportTo)
    private = vs("""  - route:
    - destination: {host: reviews, subset: v2}
""", hosts="[reviews.default.svc.cluster.local]", extra="  exportTo: ['.']\n")
    mesh = make_mesh(private)
    assert clusters(send(mesh, "GET http://reviews:9080/", source="default"))[0][0] == f"outbound|9080|v2|{REVIEWS}"
    assert clusters(send(mesh, "GET http://reviews.default:9080/", source="foo"))[0][0] == f"outbound|9080||{REVIEWS}"


def test_service_export_annotation_hides_the_service():
    # networking.istio.io/exportTo annotation on a Service (istio.io annotations reference).
    hidden = """
apiVersion: v1
kind: Service
metadata:
  name: secret
  namespace: foo
  annotations: {networking.istio.io/exportTo: "."}
spec:
  selector: {app: secret}
  ports: [{name: http, port: 8080}]
"""
    mesh = make_mesh(hidden)
    assert send(mesh, "GET http://secret:8080/", source="foo")["action"] == "route"
    assert send(mesh, "GET http://secret.foo:8080/", source="default")["action"] == "passthrough"


DELEGATE_ROOT = """
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: root, namespace: default}
spec:
  hosts: [reviews]
  http:
  - match:
    - uri: {prefix: /api}
    timeout: 3s
    delegate: {name: api, namespace: default}
  - route:
    - destination: {host: reviews, subset: v1}
"""
DELEGATE = """
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: api, namespace: default}
spec:
  http:
  - match:
    - uri: {prefix: /api/v2}
    route:
    - destination: {host: reviews, subset: v2}
  - match:
    - uri: {prefix: /other}
    route:
    - destination: {host: reviews, subset: v3}
  - route:
    - destination: {host: reviews, subset: v3}
"""


def test_delegation_narrows_matches_and_inherits_fields():
    # https://istio.io/latest/docs/reference/config/networking/virtual-service/#Delegate
    mesh = make_mesh(DELEGATE_ROOT, DELEGATE)
    v2 = send(mesh, "GET http://reviews:9080/api/v2/x")
    assert clusters(v2) == [(f"outbound|9080|v2|{REVIEWS}", 100.0)]
    assert v2["virtual_service"] == "default/api" and v2["timeout"] == "3s"
    # The delegate's match outside the root's /api is dropped; its catch-all inherits /api.
    assert clusters(send(mesh, "GET http://reviews:9080/api/v1"))[0][0] == f"outbound|9080|v3|{REVIEWS}"
    assert clusters(send(mesh, "GET http://reviews:9080/other"))[0][0] == f"outbound|9080|v1|{REVIEWS}"


def test_redirect_and_direct_response():
    # https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRedirect / #HTTPDirectResponse
    mesh = make_mesh(vs("""  - match:
    - uri: {prefix: /old}
    redirect: {uri: /new, authority: example.com, redirectCode: 302}
  - match:
    - uri: {prefix: /down}
    directResponse: {status: 503, body: {string: maintenance}}
"""))
    moved = send(mesh, "GET http://reviews:9080/old?q=1")
    assert moved["redirect"] == {"location": "http://example.com/new?q=1", "status": 302}
    assert (moved["action"], moved["status"]) == ("redirect", 302)
    down = send(mesh, "GET http://reviews:9080/down")
    assert down["direct_response"] == {"status": 503, "body": "maintenance"} and down["status"] == 503


def test_headers_operations_are_reported():
    mesh = make_mesh(vs("""  - headers:
      request: {set: {x-foo: bar}}
      response: {remove: [x-internal]}
    route:
    - destination: {host: reviews, subset: v1}
"""))
    out = send(mesh, "GET http://reviews:9080/")
    assert out["headers"]["request"]["set"] == {"x-foo": "bar"}
    assert out["headers"]["response"]["remove"] == ["x-internal"]


def test_route_names_join_rule_and_match_names():
    # istio/istio pilot/pkg/networking/core/route/route.go: routeName = rule name + "." + match name.
    mesh = make_mesh(vs("""  - name: jason
    match:
    - name: by-header
      headers:
        end-user: {exact: jason}
    - uri: {prefix: /j}
    route:
    - destination: {host: reviews, subset: v2}
  - match:
    - name: only-match
      uri: {prefix: /m}
    route:
    - destination: {host: reviews, subset: v1}
"""))
    assert send(mesh, "GET http://reviews:9080/", "end-user: jason")["route_name"] == "jason.by-header"
    assert send(mesh, "GET http://reviews:9080/j")["route_name"] == "jason"
    assert send(mesh, "GET http://reviews:9080/m")["route_name"] == ".only-match"


def test_sidecar_egress_hosts_limit_what_a_workload_sees():
    # https://istio.io/latest/docs/reference/config/networking/sidecar/ (IstioEgressListener.hosts)
    sidecar = """
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: default}
spec:
  egress:
  - hosts: ["./*", "istio-system/*"]
"""
    mesh = make_mesh(sidecar)
    assert send(mesh, "GET http://reviews:9080/")["action"] == "route"
    assert send(mesh, "GET http://httpbin.foo:8000/")["action"] == "passthrough"  # foo is not imported
    assert send(mesh, "GET http://httpbin.foo:8000/", source="foo")["action"] == "route"  # the Sidecar is default's


def test_private_virtual_service_wins_over_an_older_public_one():
    # push_context.go virtualServiceIndex: private (exportTo ".") first, then exported, then public.
    public = vs("""  - route:
    - destination: {host: reviews, subset: v1}
""", name="public", hosts="[reviews.default.svc.cluster.local]", namespace="foo")
    private = vs("""  - route:
    - destination: {host: reviews, subset: v3}
""", name="private", hosts="[reviews.default.svc.cluster.local]", extra="  exportTo: ['.']\n")
    out = send(make_mesh(public, private), "GET http://reviews:9080/")
    assert out["virtual_service"] == "default/private"


def test_redirect_ports_and_schemes():
    mesh = make_mesh(vs("""  - match: [{uri: {prefix: /a}}]
    redirect: {scheme: https, port: 8443}
  - match: [{uri: {prefix: /b}}]
    redirect: {derivePort: FROM_REQUEST_PORT, authority: new.example}
  - match: [{uri: {prefix: /c}}]
    redirect: {scheme: https, authority: secure.example}
"""))
    assert send(mesh, "GET http://reviews:9080/a")["redirect"]["location"] == "https://reviews:8443/a"
    assert send(mesh, "GET http://reviews:9080/b")["redirect"]["location"] == "http://new.example:9080/b"
    assert send(mesh, "GET http://reviews:9080/c")["redirect"] == {"location": "https://secure.example/c", "status": 301}


def test_cors_policy_is_reported():
    mesh = make_mesh(vs("""  - corsPolicy:
      allowOrigins: [{exact: "https://example.com"}, {regex: "https://.*\\\\.example\\\\.org"}]
      allowMethods: [GET, POST]
      maxAge: 24h
    route:
    - destination: {host: reviews, subset: v1}
"""))
    cors = send(mesh, "GET http://reviews:9080/")["cors"]
    assert cors["allow_origins"] == [{"exact": "https://example.com"}, {"regex": "https://.*\\.example\\.org"}]
    assert cors["allow_methods"] == ["GET", "POST"] and cors["max_age"] == "86400s"


def test_trace_explains_the_ignored_virtual_service_and_dropped_matches():
    first = vs("""  - match:
    - sourceLabels: {app: nobody}
    route:
    - destination: {host: reviews, subset: v3}
  - route:
    - destination: {host: reviews, subset: v1}
""", name="reviews-a")
    second = vs("""  - route:
    - destination: {host: reviews, subset: v2}
""", name="reviews-b")
    trace = send(make_mesh(first, second), "GET http://reviews:9080/")["trace"]
    assert any("default/reviews-b" in step and "already taken" in step for step in trace)
    assert any("default/reviews-a http[0].match[0]" in step and "sourceLabels" in step for step in trace)
    unrelated = send(make_mesh(first, second), "GET http://details:9080/")["trace"]
    assert not any("reviews-" in step for step in unrelated)


def test_a_virtual_service_private_to_its_namespace_comes_before_one_exported_by_name():
    # pilot/pkg/model/push_context.go: private (exportTo ".") first, then exported to named
    # namespaces, then public; creation order only within each group.
    def vs(name: str, export: str, subset: str) -> str:
        return f"""
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: {name}, namespace: default}}
spec:
  hosts: [reviews]
  exportTo: {export}
  http:
  - route:
    - destination: {{host: reviews, subset: {subset}}}
"""

    mesh = make_mesh(vs("named", "[default, other]", "v1"), vs("private", "['.']", "v2"))
    outcome = send(mesh, "GET http://reviews:9080/", source="default/app=productpage")
    assert [d["subset"] for d in outcome["destinations"]] == ["v2"]
