"""Helpers for the Gateway API tests: YAML text → mesh, conversion, route outcome, diagnostics."""

from __future__ import annotations

import textwrap

from istio_notebook.analysis import analyze
from istio_notebook.config import Mesh, Origin, load_text
from istio_notebook.gatewayapi import convert
from istio_notebook.routing import Proxy, Request, route

GATEWAY = """\
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web, namespace: infra}
spec:
  gatewayClassName: istio
  listeners:
  - name: http
    hostname: "*.example.com"
    port: 80
    protocol: HTTP
    allowedRoutes:
      namespaces: {from: All}
"""


L4_GATEWAY = """\
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge, namespace: infra}
spec:
  gatewayClassName: istio
  listeners:
  - {name: db, port: 5432, protocol: TCP, allowedRoutes: {namespaces: {from: All}}}
  - name: pass
    port: 443
    protocol: TLS
    hostname: "*.example.com"
    tls: {mode: Passthrough}
    allowedRoutes: {namespaces: {from: All}}
  - name: pass-any
    port: 8443
    protocol: TLS
    tls: {mode: Passthrough}
    allowedRoutes: {namespaces: {from: All}}
"""


def tcp_route(rules: str, *, name: str = "db", parents: str = "[{name: edge, namespace: infra, sectionName: db}]") -> str:
    return (f"apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: TCPRoute\nmetadata: {{name: {name}, namespace: default}}\n"
            f"spec:\n  parentRefs: {parents}\n  rules:\n{rules}")


def tls_route(hostnames: str, *, name: str = "secure", parents: str = "[{name: edge, namespace: infra, sectionName: pass}]") -> str:
    return (f"apiVersion: gateway.networking.k8s.io/v1\nkind: TLSRoute\nmetadata: {{name: {name}, namespace: default}}\n"
            f"spec:\n  parentRefs: {parents}\n  hostnames: {hostnames}\n  rules:\n  - backendRefs: [{{name: secure, port: 443}}]\n")


# One rule per step of Gateway API precedence (conversion.go sortHTTPRoutes), in an order that
# sorting must change: rule i sends to backend s<i>; sorted, they read s6 s2 s4 s3 s5 s1 s0.
PRECEDENCE_MATCHES = [
    "{path: {type: RegularExpression, value: '/.*'}}",
    "{path: {value: /a}}",
    "{path: {value: /a/b}}",
    "{path: {value: /a}, headers: [{name: x, value: '1'}]}",
    "{path: {value: /a}, method: GET}",
    "{path: {value: /a}, queryParams: [{name: q, value: '1'}]}",
    "{path: {type: Exact, value: /a}}",
]


def service(name: str, port: int = 80, namespace: str = "default") -> str:
    return (f"apiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: {namespace}}}\n"
            f"spec:\n  selector: {{app: {name}}}\n  ports: [{{name: http, port: {port}}}]\n")


def workload(name: str, port: int = 80, namespace: str = "default") -> str:
    """A Service and the Deployment behind it (real Envoy needs endpoints to answer from an upstream)."""
    return service(name, port, namespace) + (
        f"---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: {namespace}}}\n"
        f"spec:\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n"
        f"    spec: {{containers: [{{name: app, image: example/{name}}}]}}\n")


def mesh_of(*documents: str) -> Mesh:
    text = "\n---\n".join(textwrap.dedent(d).strip("\n") for d in documents) + "\n"
    loaded = load_text(text, Origin("gw.yaml"))
    assert loaded.diagnostics == [], loaded.diagnostics
    return Mesh(loaded.resources)


def virtual_services(mesh: Mesh) -> dict[str, dict]:
    return {r.name: r.spec for r in convert(mesh).resources if r.kind == "VirtualService"}


def send(mesh: Mesh, request: str, *headers: str, gateway: str = "infra/web", source: str | None = None) -> dict:
    proxy = Proxy.parse_from(source) if source is not None else Proxy.parse_gateway(gateway)
    return route(mesh, Request.parse(request, list(headers)), proxy).to_json()


def codes(mesh: Mesh) -> list[tuple[str, int, str]]:
    return [(d.code, d.position.line, d.message) for d in analyze(mesh)]
