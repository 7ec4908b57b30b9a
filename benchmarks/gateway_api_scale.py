"""Gateway API vs VirtualService at the gateway: 1,000 HTTPRoutes on one Gateway, same shape twice.

Builds two meshes with the same 1,000 hosts and rules: (a) Istio API, one Gateway and 1,000
VirtualServices; (b) Gateway API, one Gateway and 1,000 HTTPRoutes (converted as istiod converts
them). Prints load, conversion+index time and the per-request time of ``routing.route`` (median
and p99 over N random requests) for each, and the ratio of the medians. Target: the Gateway API
median within 1.2× of the VirtualService one (both go through the same route table).

    .venv/bin/python benchmarks/gateway_api_scale.py [--routes 1000] [--requests 50000]

benchmarks/route_scale.py prints the same comparison after its sizes (it imports these meshes).
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import time

from istio_notebook.config import Mesh, Origin, load_text
from istio_notebook.routing import Proxy, Request, build_table, route


def services(count: int) -> list[str]:
    return [f"apiVersion: v1\nkind: Service\nmetadata: {{name: svc-{i}, namespace: apps}}\nspec:\n"
            f"  selector: {{app: svc-{i}}}\n  ports: [{{name: http, port: 8080}}]\n" for i in range(count)]


def istio_mesh(count: int) -> str:
    docs = ["apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: edge, namespace: apps}\nspec:\n"
            "  selector: {istio: ingressgateway}\n  servers:\n  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: ['*.example.com']\n"]
    for i in range(count):
        docs.append(f"""apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: svc-{i}, namespace: apps}}
spec:
  hosts: [svc-{i}.example.com]
  gateways: [edge]
  http:
  - match: [{{uri: {{exact: /health}}}}]
    route: [{{destination: {{host: svc-{i}, port: {{number: 8080}}}}}}]
  - match: [{{uri: {{prefix: /api}}, headers: {{x-env: {{exact: canary}}}}}}]
    route: [{{destination: {{host: svc-{(i + 1) % count}, port: {{number: 8080}}}}}}]
  - match: [{{uri: {{prefix: /api}}}}]
    route: [{{destination: {{host: svc-{i}, port: {{number: 8080}}}}}}]
  - route: [{{destination: {{host: svc-{i}, port: {{number: 8080}}}}}}]
""")
    return "---\n".join(docs + services(count))


def gateway_api_mesh(count: int) -> str:
    docs = ["apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: edge, namespace: apps}\nspec:\n"
            "  gatewayClassName: istio\n  listeners:\n  - {name: http, hostname: '*.example.com', port: 80, protocol: HTTP}\n"]
    for i in range(count):
        docs.append(f"""apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: svc-{i}, namespace: apps}}
spec:
  parentRefs: [{{name: edge}}]
  hostnames: [svc-{i}.example.com]
  rules:
  - matches: [{{path: {{type: Exact, value: /health}}}}]
    backendRefs: [{{name: svc-{i}, port: 8080}}]
  - matches: [{{path: {{value: /api}}, headers: [{{name: x-env, value: canary}}]}}]
    backendRefs: [{{name: svc-{(i + 1) % count}, port: 8080}}]
  - matches: [{{path: {{value: /api}}}}]
    backendRefs: [{{name: svc-{i}, port: 8080}}]
  - backendRefs: [{{name: svc-{i}, port: 8080}}]
""")
    return "---\n".join(docs + services(count))


def measure(name: str, text: str, count: int, requests: int, seed: int) -> float:
    start = time.perf_counter()
    mesh = Mesh(load_text(text, Origin(name)).resources)
    loaded = time.perf_counter()
    proxy = Proxy.gateway("apps", "edge")
    build_table(mesh, proxy)
    indexed = time.perf_counter()
    rng = random.Random(seed)
    paths = ["/health", "/api/items", "/api", "/other", "/apix"]
    batch = [Request.parse(f"GET http://svc-{rng.randrange(count)}.example.com{rng.choice(paths)}",
                           ["x-env: canary"] if rng.random() < 0.3 else []) for _ in range(requests)]
    times = []
    gc.disable()
    for request in batch:
        t0 = time.perf_counter_ns()
        route(mesh, request, proxy)
        times.append(time.perf_counter_ns() - t0)
    gc.enable()
    times.sort()
    median, p99 = statistics.median(times) / 1000, times[int(len(times) * 0.99)] / 1000
    print(f"{name:<16} load {loaded - start:6.2f} s  convert+index {indexed - loaded:6.2f} s  "
          f"per request median {median:6.1f} µs  p99 {p99:6.1f} µs")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--routes", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    vs = measure("VirtualService", istio_mesh(args.routes), args.routes, args.requests, args.seed)
    gw = measure("HTTPRoute", gateway_api_mesh(args.routes), args.routes, args.requests, args.seed)
    print(f"HTTPRoute / VirtualService median: {gw / vs:.2f}× (target ≤ 1.20×)")


if __name__ == "__main__":
    main()
