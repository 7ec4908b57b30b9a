"""How routing scales: 100 → 5,000 services plus a gateway with 1,000 hosts.

Prints, per mesh size: load time (YAML → resources), index time (route tables of one sidecar
and one gateway), and per-request time of `routing.route` (median and p99 over N requests,
default 100,000, alternating sidecar and gateway requests to random hosts). Target: median
under 50 µs and flat as the mesh grows (virtual hosts are found through a domain index).

    .venv/bin/python benchmarks/route_scale.py [--requests 100000] [--sizes 100,1000,5000]
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import time

from istio_notebook.config import Mesh, Origin, load_text
from istio_notebook.routing import Proxy, Request, build_table, route

GATEWAY_HOSTS = 1000


def manifest(services: int) -> str:
    docs = []
    for i in range(services):
        docs.append(f"""apiVersion: v1
kind: Service
metadata: {{name: svc-{i}, namespace: ns-{i % 10}}}
spec:
  selector: {{app: svc-{i}}}
  ports: [{{name: http, port: 8080}}]
""")
        if i % 2 == 0:  # half the services have a VirtualService with a few rules and a DestinationRule
            docs.append(f"""apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: svc-{i}, namespace: ns-{i % 10}}}
spec:
  hosts: [svc-{i}]
  http:
  - match: [{{headers: {{end-user: {{exact: jason}}}}}}]
    route: [{{destination: {{host: svc-{i}, subset: v2}}}}]
  - match: [{{uri: {{regex: '/api/v[0-9]+/.*'}}}}]
    route: [{{destination: {{host: svc-{i}, subset: v1}}}}]
  - route: [{{destination: {{host: svc-{i}, subset: v1}}}}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: svc-{i}, namespace: ns-{i % 10}}}
spec:
  host: svc-{i}
  subsets: [{{name: v1, labels: {{version: v1}}}}, {{name: v2, labels: {{version: v2}}}}]
""")
    docs.append("""apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: edge, namespace: ns-0}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ["*"]
""")
    for h in range(GATEWAY_HOSTS):
        target = h % services
        docs.append(f"""apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: edge-{h}, namespace: ns-0}}
spec:
  hosts: [site-{h}.example.com]
  gateways: [edge]
  http:
  - match: [{{uri: {{prefix: /api}}}}]
    route: [{{destination: {{host: svc-{target}.ns-{target % 10}.svc.cluster.local}}}}]
  - route: [{{destination: {{host: svc-{target}.ns-{target % 10}.svc.cluster.local}}}}]
""")
    return "---\n".join(docs)


def measure(services: int, requests: int, rng: random.Random) -> None:
    text = manifest(services)
    start = time.perf_counter()
    loaded = load_text(text, Origin("<generated>"))
    mesh = Mesh(loaded.resources)
    load_s = time.perf_counter() - start

    sidecar, gateway = Proxy.sidecar("ns-0", {"app": "client"}), Proxy.gateway("ns-0", "edge")
    start = time.perf_counter()
    build_table(mesh, sidecar)
    build_table(mesh, gateway)
    index_s = time.perf_counter() - start

    paths = ["/", "/api/v1/items", "/api/x", "/static/a.css"]
    prepared = []
    for n in range(min(requests, 5000)):
        if n % 2:
            i = rng.randrange(services)
            host = f"svc-{i}.ns-{i % 10}" if i % 10 else f"svc-{i}"
            headers = ["end-user: jason"] if n % 4 == 1 else []
            prepared.append((Request.parse(f"GET http://{host}:8080{rng.choice(paths)}", headers), sidecar))
        else:
            prepared.append((Request.parse(f"GET http://site-{rng.randrange(GATEWAY_HOSTS)}.example.com{rng.choice(paths)}"), gateway))
    timings = []
    gc.disable()
    try:
        for n in range(requests):
            request, proxy = prepared[n % len(prepared)]
            t0 = time.perf_counter_ns()
            route(mesh, request, proxy, lang="en")
            timings.append(time.perf_counter_ns() - t0)
    finally:
        gc.enable()
    timings.sort()
    median = statistics.median(timings) / 1000
    p99 = timings[int(len(timings) * 0.99) - 1] / 1000
    print(f"{services:>6} services {len(mesh):>7} resources | load {load_s:7.2f} s | index {index_s:6.2f} s | "
          f"per request median {median:6.1f} µs  p99 {p99:7.1f} µs  ({requests} requests)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--sizes", default="100,500,1000,5000")
    args = parser.parse_args()
    rng = random.Random(7)
    for size in (int(s) for s in args.sizes.split(",")):
        measure(size, args.requests, rng)


if __name__ == "__main__":
    main()
