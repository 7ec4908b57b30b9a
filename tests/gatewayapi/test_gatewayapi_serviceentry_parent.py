"""A route whose parentRef is an Istio ServiceEntry: mesh routing for every host of the entry.

Sources (istio/istio 1.30.3, pilot/pkg/config/kube/gateway): conversion.go
allowedParentReferences (Gateway, Service, ServiceEntry, ListenerSet) and referenceAllowed (a
ServiceEntry parent that does not exist: NotAccepted, "parent service entry: %q not found";
ParentErrorNotAccepted is the NoMatchingParent reason); route_collections.go HTTPRouteCollection,
TCPRouteCollection and TLSRouteCollection (``parent.InternalKind == gvk.ServiceEntry``:
``vsHosts = ses.Spec.Hosts``, one VirtualService per host, ``gateways: [mesh]``);
testdata/serviceentry.yaml.golden shows the shapes (the fixtures here are our own). This is what
istio.io's egress gateway task uses on its Gateway API tab to send sidecar traffic for an
external host to the egress gateway.
"""

from __future__ import annotations

from gwkit import codes, mesh_of, send, virtual_services
from istio_notebook.gatewayapi import convert

ENTRY = """\
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: external, namespace: default}
spec:
  hosts: [api.example.org, "*.example.net"]
  location: MESH_EXTERNAL
  resolution: DNS
  ports:
  - {number: 80, name: http, protocol: HTTP}
  - {number: 443, name: tls, protocol: TLS}
"""
PARENT = "[{group: networking.istio.io, kind: ServiceEntry, name: external}]"
TO_HOSTNAME = "[{group: networking.istio.io, kind: Hostname, name: api.example.org, port: %d}]"


def http_route(parents: str = PARENT, hostnames: str = "[api.example.org]") -> str:
    return ("apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: egress, namespace: default}\n"
            f"spec:\n  parentRefs: {parents}\n  hostnames: {hostnames}\n  rules:\n  - backendRefs: {TO_HOSTNAME % 80}\n")


def test_an_http_route_on_a_service_entry_is_a_mesh_virtual_service_per_entry_host() -> None:
    # The entry's hosts, not the route's hostnames, decide the VirtualServices (vsHosts = ses.Spec.Hosts):
    # *.example.net gets one although the route names only api.example.org.
    specs = virtual_services(mesh_of(ENTRY, http_route()))
    assert sorted(specs) == ["default~*.example.net", "default~api.example.org"]
    for host in ("api.example.org", "*.example.net"):
        spec = specs[f"default~{host}"]
        assert (spec["hosts"], spec["gateways"]) == ([host], ["mesh"])
        assert [[d["destination"] for d in r["route"]] for r in spec["http"]] == [[{"host": "api.example.org", "port": {"number": 80}}]]


def test_a_sidecar_request_for_the_entry_host_takes_the_route() -> None:
    out = send(mesh_of(ENTRY, http_route()), "GET http://api.example.org/get", source="default")
    assert out["route_ref"] == {"kind": "HTTPRoute", "namespace": "default", "name": "egress", "rule_index": 0, "match_index": None}
    assert out["destinations"][0]["cluster"] == "outbound|80||api.example.org"


def test_tcp_and_tls_routes_on_a_service_entry_get_one_virtual_service_per_entry_host() -> None:
    tcp = ("apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: TCPRoute\nmetadata: {name: egress, namespace: default}\n"
           f"spec:\n  parentRefs: {PARENT}\n  rules:\n  - backendRefs: {TO_HOSTNAME % 443}\n")
    tls = ("apiVersion: gateway.networking.k8s.io/v1\nkind: TLSRoute\nmetadata: {name: egress, namespace: default}\n"
           f"spec:\n  parentRefs: {PARENT}\n  hostnames: [api.example.org]\n  rules:\n  - backendRefs: {TO_HOSTNAME % 443}\n")
    conversion = convert(mesh_of(ENTRY, tcp, tls))
    found = sorted((r.spec["hosts"][0], "tcp" in r.spec, r.spec["gateways"][0]) for r in conversion.resources)
    assert found == [("*.example.net", False, "mesh"), ("*.example.net", True, "mesh"),
                     ("api.example.org", False, "mesh"), ("api.example.org", True, "mesh")]
    # TLSRoute hostnames stay the SNI match on every entry host (buildTLSMatch; a single SNI host is
    # not narrowed by compatibleRoutesForHost).
    sni = {r.spec["hosts"][0]: r.spec["tls"][0]["match"][0]["sniHosts"] for r in conversion.resources if "tls" in r.spec}
    assert sni == {"api.example.org": ["api.example.org"], "*.example.net": ["api.example.org"]}


def test_a_tls_route_without_hostnames_matches_the_entry_hosts_as_sni() -> None:
    # augmentTLSPortMatch: an "*" SNI match on a mesh parent becomes the parent's hosts; then
    # compatibleRoutesForHost keeps, per VirtualService host, the SNI hosts that match it.
    tls = ("apiVersion: gateway.networking.k8s.io/v1\nkind: TLSRoute\nmetadata: {name: egress, namespace: default}\n"
           f"spec:\n  parentRefs: {PARENT}\n  rules:\n  - backendRefs: {TO_HOSTNAME % 443}\n")
    conversion = convert(mesh_of(ENTRY, tls))
    sni = {r.spec["hosts"][0]: r.spec["tls"][0]["match"][0]["sniHosts"] for r in conversion.resources}
    assert sni == {"api.example.org": ["api.example.org"], "*.example.net": ["*.example.net"]}


def test_a_service_entry_parent_that_does_not_exist_is_not_accepted() -> None:
    mesh = mesh_of(http_route(parents="[{group: networking.istio.io, kind: ServiceEntry, name: missing}]"))
    assert virtual_services(mesh) == {}
    assert [c for c in codes(mesh) if c[0].startswith("INB6")] == [
        ("INB6001", 5, "Accepted=False (NoMatchingParent): parent service entry: 'missing' not found"),
    ]
