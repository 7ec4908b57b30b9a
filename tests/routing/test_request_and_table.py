"""Request parsing, proxy specs, and the shape of the generated route table."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from istio_notebook.routing import Proxy, Request, RequestError, build_table
from istio_notebook.routing.request import _split_url
from routing_helpers import make_mesh


def test_request_parse_splits_url_and_headers():
    r = Request.parse("post https://Api.Example.com:8443/a/b?x=1&y#frag", ["End-User: jason", "Host: other:1"])
    assert (r.method, r.scheme, r.host, r.port, r.path, r.query) == ("POST", "https", "api.example.com", 8443, "/a/b", "x=1&y")
    assert r.header("end-user") == "jason" and r.authority == "other:1"
    assert r.query_params() == {"x": "1", "y": ""}
    assert Request.parse("GET http://x/?k=a%20b&k=2").query_params() == {"k": "a%20b"}  # first value, not decoded


@pytest.mark.parametrize("line", ["", "GET http://x/ extra", "G3T http://x/", "GET ftp://x/", "GET http://:80/", "GET http://x:notaport/", "GET http://x:0/"])
def test_request_parse_rejects_unusable_lines_with_one_line_errors(line):
    with pytest.raises(RequestError) as error:
        Request.parse(line)
    assert "\n" not in str(error.value)


def _by_urlsplit(url: str) -> tuple:
    """What Python's urlsplit reads of ``url`` (the reading Request.parse had before its fast path)."""
    try:
        split = urlsplit(url)
        return ("read", split.scheme, split.hostname, split.port, split.path, split.query)
    except ValueError:
        return ("refused",)


def _by_request_parse(url: str) -> tuple:
    try:
        return ("read", *_split_url(url))
    except RequestError:
        return ("refused",)


URL_PARTS = ["http", "HTTPS", "tcp", "Tls", "x-1", "://", ":", "/", "//", "?", "#", "@", "[", "]", "::1", "a", "B", "0",
             "80", "080", "65535", "65536", "99999", "123456", ".", "-", "%2F", "%", " ", "\t", "\x01", "\u00e9", "svc-1", "?q=1&r"]


@settings(max_examples=3000, deadline=None)
@given(st.sampled_from(["", "http://", "HTTPS://", "Tls://", "x-1://"]), st.lists(st.sampled_from(URL_PARTS), max_size=9))
def test_the_plain_url_reading_is_urlsplits(start, parts):
    """Request.parse reads plain URLs with one pattern (request.py _PLAIN_URL) and every other with
    urlsplit: on URLs built from the characters that make the two differ, the answers agree."""
    url = start + "".join(parts)
    assert _by_request_parse(url) == _by_urlsplit(url), url


@pytest.mark.parametrize("url", ["http://svc-1:8080/api/v1?x=1", "HTTP://Svc.NS:080", "http://svc:65536/", "tls://h:0",
                                 "http://a:1/b#c", "http://u@h/", "http://h:/x", "http://h/x?y?z", "http://[::1]:80/"])
def test_the_plain_url_reading_on_chosen_urls(url):
    assert _by_request_parse(url) == _by_urlsplit(url)


def test_request_parse_rejects_bad_headers():
    with pytest.raises(RequestError):
        Request.parse("GET http://x/", ["no colon here"])


def test_proxy_specs():
    assert Proxy.parse_from("foo/app=a,version=v1") == Proxy.sidecar("foo", {"app": "a", "version": "v1"})
    assert Proxy.parse_from("foo").labels == {} and Proxy.parse_from(None).namespace == "default"
    assert Proxy.parse_from("app=a").namespace == "default"
    assert Proxy.parse_gateway("istio-system/gw") == Proxy.gateway("istio-system", "gw")
    with pytest.raises(RequestError):
        Proxy.parse_from("foo/app")


def test_sidecar_table_names_route_configs_by_port_and_lists_istio_domains():
    # httproute.go: route config per port ("9080"); domains without ports (ignore_port_in_host_matching).
    table = build_table(make_mesh(), Proxy.sidecar("default"))
    config = next(c for c in table.route_configs if c.name == "9080")
    assert config.ignore_port_in_host_matching
    vhost = next(v for v in config.virtual_hosts if v.name == "reviews.default.svc.cluster.local:9080")
    assert vhost.domains == ["reviews.default.svc.cluster.local", "reviews", "reviews.default.svc", "reviews.default"]
    assert config.virtual_hosts[-1].name == "allow_any" and config.virtual_hosts[-1].domains == ["*"]
    assert "outbound|9080|v2|reviews.default.svc.cluster.local" in table.clusters
    other_ns = build_table(make_mesh(), Proxy.sidecar("foo"))
    vhost = next(v for c in other_ns.route_configs for v in c.virtual_hosts if v.name == "reviews.default.svc.cluster.local:9080")
    assert vhost.domains == ["reviews.default.svc.cluster.local", "reviews.default", "reviews.default.svc"]


def test_gateway_table_names_route_configs_and_domains():
    gw = """
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 8080, name: http, protocol: HTTP}
    hosts: ["*.example.com"]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: a, namespace: default}
spec:
  hosts: [a.example.com, "*.example.com"]
  gateways: [gw]
  http:
  - route: [{destination: {host: details}}]
"""
    table = build_table(make_mesh(gw), Proxy.gateway("default", "gw"))
    assert [c.name for c in table.route_configs] == ["http.8080"]
    vhosts = {v.name: v.domains for v in table.route_configs[0].virtual_hosts}
    assert vhosts == {"a.example.com:8080": ["a.example.com", "a.example.com:*"],
                      "*.example.com:8080": ["*.example.com", "*.example.com:8080"]}


MALFORMED = [
    "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: m1}\nspec: {hosts: [reviews], http: [{route: 5}]}\n",
    "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: m2}\nspec: {hosts: [reviews], http: [{match: [{uri: {regex: '(('}}], route: [{destination: {host: reviews}}]}]}\n",
    "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: m3}\nspec: {hosts: 7, http: 'x'}\n",
    "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: m4}\nspec: {hosts: [reviews], http: [{route: [{destination: {host: reviews, port: {number: x}}, weight: true}], timeout: forever, retries: {attempts: many}}]}\n",
    "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: g}\nspec: {selector: 3, servers: [{port: 80}, {port: {number: 80}, hosts: 5}]}\n",
    "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: d}\nspec: {host: reviews, subsets: [5, {name: 3}], trafficPolicy: [1]}\n",
    "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: abc}, 5], selector: [1]}\n",
    "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: se}\nspec: {hosts: [5, ''], ports: {a: 1}, endpoints: 3}\n",
    "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: sc}\nspec: {egress: [5, {hosts: [x]}], workloadSelector: 4}\n",
]


@pytest.mark.parametrize("text", MALFORMED)
@pytest.mark.parametrize("via", [None, "default/g"])
def test_malformed_resources_never_raise(text, via):
    mesh = make_mesh(text)
    proxy = Proxy.parse_gateway(via) if via else Proxy.sidecar()
    from istio_notebook.routing import route

    for line in ("GET http://reviews:9080/x", "GET http://example.com/", "GET http://reviews/"):
        outcome = route(mesh, Request.parse(line), proxy).to_json()
        assert outcome["action"] in {"route", "redirect", "direct_response", "no_route", "passthrough", "blackhole"}


def test_gateway_route_config_is_named_after_the_target_port():
    # A Gateway server on Service port 80 (targetPort 8080) is served by Envoy on 8080 ("http.8080").
    gw = """
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw80, namespace: default}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ["*"]
"""
    table = build_table(make_mesh(gw), Proxy.gateway("default", "gw80"))
    assert [(c.name, c.port) for c in table.route_configs] == [("http.8080", 8080)]


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("/p/../reviews/1", "/reviews/1"),
        ("/a/./b", "/a/b"),
        ("/a//b", "/a//b"),  # merge_slashes is off in Istio
        ("/a%2fb", "/a%2Fb"),  # escaped slashes are kept (path_with_escaped_slashes_action KEEP_UNCHANGED)
        ("/A%7eb", "/A~b"),  # unreserved characters are decoded
        ("/%2e%2e/reviews/1", "/reviews/1"),
        ("/a\\b", "/a/b"),
        ("/..", "/"),
        ('/x"y<z>', "/x%22y%3Cz%3E"),  # printable characters outside pchar are percent-encoded
        ("/a^b`c{d|e}", "/a%5Eb%60c%7Bd%7Ce%7D"),
        ("/x%5e", "/x%5E"),
        ("/x*y=z[w]", "/x*y=z[w]"),  # ... pchar and "[" "]" are not
        ("/x%zy", "/x%zy"),  # a "%" that starts no escape is kept as it is
    ],
)
def test_paths_are_normalised_as_envoy_does(raw, normalized):
    # Istio sets normalize_path on every HTTP connection manager; each pair was checked on Envoy 1.40.
    assert Request.parse(f"GET http://x{raw}").path == normalized


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("/.%\\\"<>^`{|}aZ09-_~*=[]?#"), max_size=12))
def test_the_already_normal_path_shortcut_agrees_with_full_normalisation(tail):
    # normalize_path returns a path with nothing to decode, encode or remove unchanged without
    # looking at each character; the full RFC 3986 pass must give the same path for every input.
    from istio_notebook.routing.request import _normalized, normalize_path

    path = "/" + tail
    assert normalize_path(path) == _normalized(path)
