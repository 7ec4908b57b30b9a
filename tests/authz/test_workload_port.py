"""Policies see the workload's port: a Service port reaches the Pod on its targetPort.

istio/api#3075 (AuthorizationPolicy `ports`, PeerAuthentication `portLevelMtls`: workload/container
ports, not Service ports) after istio/istio#49098.
"""

from __future__ import annotations

from istio_notebook.authz import Source, Workload, authorize
from istio_notebook.authz.ports import workload_port
from istio_notebook.routing import Request
from test_authorize import mesh_of, policy

HTTPBIN = Workload("foo", {"app": "httpbin"})

SERVICE = """
apiVersion: v1
kind: Service
metadata: {name: httpbin, namespace: foo}
spec:
  selector: {app: httpbin}
  ports:
  - {name: http, port: 8000, targetPort: 8080}
  - {name: admin, port: 9000, targetPort: admin-port}
  - {name: plain, port: 7000}
"""
DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: httpbin, namespace: foo}
spec:
  selector: {matchLabels: {app: httpbin}}
  template:
    metadata: {labels: {app: httpbin, version: v1}}
    spec:
      containers:
      - name: httpbin
        image: example/httpbin
        ports:
        - {name: admin-port, containerPort: 9090}
"""


def test_the_service_port_maps_to_the_target_port_numbered_named_or_absent():
    mesh = mesh_of(SERVICE, DEPLOYMENT)
    assert workload_port(mesh, HTTPBIN, "httpbin.foo", 8000) == 8080
    assert workload_port(mesh, HTTPBIN, "httpbin.foo", 9000) == 9090  # named: the container's port of that name
    assert workload_port(mesh, HTTPBIN, "httpbin.foo", 7000) == 7000  # no targetPort: the same port
    assert workload_port(mesh, HTTPBIN, "10.0.0.9", 8080) == 8080  # a port no Service maps: a direct call to the Pod


def test_operation_ports_match_the_workload_port_not_the_service_port():
    only_8080 = policy("only-8080", "  rules:\n  - to:\n    - operation: {ports: ['8080']}")
    mesh = mesh_of(SERVICE, DEPLOYMENT, only_8080)
    source = Source(principal="cluster.local/ns/foo/sa/sleep")
    result = authorize(mesh, Request.parse("GET http://httpbin.foo:8000/get"), HTTPBIN, source, lang="en")
    assert result.decision == "ALLOW"
    assert "Service port 8000 reaches the workload on port 8080 (targetPort): policies see 8080" in result.trace
    only_8000 = policy("only-8000", "  rules:\n  - to:\n    - operation: {ports: ['8000']}")
    denied = authorize(mesh_of(SERVICE, DEPLOYMENT, only_8000), Request.parse("GET http://httpbin.foo:8000/get"), HTTPBIN, source)
    assert denied.decision == "DENY"


def test_port_level_mtls_is_keyed_by_the_workload_port():
    peer = """
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: httpbin, namespace: foo}
spec:
  selector: {matchLabels: {app: httpbin}}
  mtls: {mode: STRICT}
  portLevelMtls:
    8080: {mode: PERMISSIVE}
"""
    mesh = mesh_of(SERVICE, DEPLOYMENT, peer)
    plaintext = Source(mtls=False)
    assert authorize(mesh, Request.parse("GET http://httpbin.foo:8000/get"), HTTPBIN, plaintext).decision == "ALLOW"
    assert authorize(mesh, Request.parse("GET http://httpbin.foo:7000/get"), HTTPBIN, plaintext).decision == "DENY"
