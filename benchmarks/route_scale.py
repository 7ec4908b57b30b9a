"""How routing scales on realistic meshes: 100 → 20,000 services in several namespaces.

Each mesh (``manifest``) has, per service: a Service, a Deployment per version (2 or 3
versions, labels app/version), a DestinationRule with a subset per version; every other service
a VirtualService (header match, regex match, weighted catch-all); a Sidecar per namespace
(egress ``./*`` and ``istio-system/*``); and an ingress Gateway with 1,000 hosts on
VirtualServices of their own. 50 services per namespace.

Per size it prints, each size measured in a fresh process (so the peak memory is that size's):
- parse: YAML text → resources (config.load_text with the GC paused, as load_paths reads a file),
  the floor for anything that reads the files;
- load: parse + Mesh (indexes: workloads by namespace and labels, kinds);
- index: the route tables of one sidecar and one gateway;
- CLI end-to-end: one real ``istio-notebook route`` process on that mesh (start-up, load, index,
  one request), its ratio to parse (issue 12 target: ≤ 2× at 5,000 services) and its peak RSS;
- per request: median and p99 of ``routing.route`` (target: median ≤ 30 µs, flat), and the
  loop's CPU time per request;
- batch: requests/s of ``route --requests FILE``'s code path (read and check the JSON Lines,
  route, write one JSON line each) on the loaded mesh (target ≥ 20,000/s on the simulator), by
  the wall clock and by CPU time;
- the 1-minute load average when the line was printed (figures on a busy machine are inflated);
- peak RSS of the benchmark process (it holds the mesh text, resources and tables).

Then, in a fresh process, a Gateway API mesh: one Gateway with ``--gateway-api-routes`` (1,000)
HTTPRoutes, beside the same routes written as VirtualServices on one Istio Gateway (the meshes of
benchmarks/gateway_api_scale.py): the per-request median of each and their ratio (issue 15
target: HTTPRoute within 1.2× of VirtualService; both go through the same route table).

    .venv/bin/python benchmarks/route_scale.py [--requests 100000] [--sizes 100,1000,5000,20000] [--gateway-api-routes 1000]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from istio_notebook.config import Mesh, Origin, load_text
from istio_notebook.config.loader import LARGE_INPUT
from istio_notebook.config.yaml_reader import gc_paused
from istio_notebook.routing import Proxy, Request, build_table, route

GATEWAY_HOSTS = 1000
PER_NAMESPACE = 50
PATHS = ["/", "/api/v1/items", "/api/x", "/static/a.css"]


def _versions(i: int) -> list[str]:
    return ["v1", "v2", "v3"] if i % 3 == 0 else ["v1", "v2"]


def _service(i: int) -> str:
    ns, versions = f"ns-{i // PER_NAMESPACE}", _versions(i)
    docs = [f"""apiVersion: v1
kind: Service
metadata: {{name: svc-{i}, namespace: {ns}}}
spec:
  selector: {{app: svc-{i}}}
  ports: [{{name: http, port: 8080}}]
"""]
    for v in versions:
        docs.append(f"""apiVersion: apps/v1
kind: Deployment
metadata: {{name: svc-{i}-{v}, namespace: {ns}}}
spec:
  selector: {{matchLabels: {{app: svc-{i}, version: {v}}}}}
  template:
    metadata: {{labels: {{app: svc-{i}, version: {v}}}}}
    spec: {{containers: [{{name: app, image: app}}]}}
""")
    subsets = ", ".join(f"{{name: {v}, labels: {{version: {v}}}}}" for v in versions)
    docs.append(f"""apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: svc-{i}, namespace: {ns}}}
spec:
  host: svc-{i}
  trafficPolicy: {{loadBalancer: {{simple: ROUND_ROBIN}}}}
  subsets: [{subsets}]
""")
    if i % 2 == 0:
        docs.append(f"""apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: svc-{i}, namespace: {ns}}}
spec:
  hosts: [svc-{i}]
  http:
  - match: [{{headers: {{end-user: {{exact: jason}}}}}}]
    route: [{{destination: {{host: svc-{i}, subset: v2}}}}]
  - match: [{{uri: {{regex: '/api/v[0-9]+/.*'}}}}]
    route: [{{destination: {{host: svc-{i}, subset: v1}}}}]
  - route:
    - {{destination: {{host: svc-{i}, subset: v1}}, weight: 90}}
    - {{destination: {{host: svc-{i}, subset: v2}}, weight: 10}}
""")
    return "---\n".join(docs)


def manifest(services: int) -> str:
    docs = [_service(i) for i in range(services)]
    for n in range((services + PER_NAMESPACE - 1) // PER_NAMESPACE):
        docs.append(f"""apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {{name: default, namespace: ns-{n}}}
spec:
  egress: [{{hosts: ["./*", "istio-system/*"]}}]
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
        t = h % services
        docs.append(f"""apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: edge-{h}, namespace: ns-0}}
spec:
  hosts: [site-{h}.example.com]
  gateways: [edge]
  http:
  - match: [{{uri: {{prefix: /api}}}}]
    route: [{{destination: {{host: svc-{t}.ns-{t // PER_NAMESPACE}.svc.cluster.local}}}}]
  - route: [{{destination: {{host: svc-{t}.ns-{t // PER_NAMESPACE}.svc.cluster.local}}}}]
""")
    return "---\n".join(docs)


def _requests(services: int, count: int, rng: random.Random) -> list[dict]:
    """Sidecar requests from a client in ns-0 to its own namespace's services, and gateway requests."""
    lines = []
    for n in range(count):
        if n % 2:
            i = rng.randrange(min(services, PER_NAMESPACE))
            headers = ["end-user: jason"] if n % 4 == 1 else []
            lines.append({"request": f"GET http://svc-{i}:8080{rng.choice(PATHS)}", "headers": headers,
                          "from": "ns-0/app=client"})
        else:
            lines.append({"request": f"GET http://site-{rng.randrange(GATEWAY_HOSTS)}.example.com{rng.choice(PATHS)}",
                          "gateway": "ns-0/edge"})
    return lines


def _timed(work):
    start = time.perf_counter()
    result = work()
    return result, time.perf_counter() - start


def _per_request(mesh: Mesh, lines: list[dict], requests: int) -> tuple[float, float, float]:
    """Median and p99 wall-clock µs of one routing.route call, and the loop's CPU µs per request."""
    prepared = []
    for line in lines:
        proxy = Proxy.parse_gateway(line["gateway"]) if "gateway" in line else Proxy.parse_from(line["from"])
        prepared.append((Request.parse(line["request"], line.get("headers", [])), proxy))
    timings = []
    gc.disable()
    cpu = time.process_time()
    try:
        for n in range(requests):
            request, proxy = prepared[n % len(prepared)]
            t0 = time.perf_counter_ns()
            route(mesh, request, proxy, lang="en")
            timings.append(time.perf_counter_ns() - t0)
    finally:
        cpu = time.process_time() - cpu
        gc.enable()
    timings.sort()
    return (statistics.median(timings) / 1000, timings[max(int(len(timings) * 0.99) - 1, 0)] / 1000,
            cpu / max(requests, 1) * 1e6)


def _batch_rate(mesh: Mesh, lines: list[dict]) -> tuple[float, float]:
    """Requests per second of the batch mode's own code path (cli/batch.py: read and check the
    lines, route each, write one JSON line each), on the already loaded mesh: by the wall clock
    and by this process's CPU time (the figure a loaded machine distorts least)."""
    from istio_notebook.cli.batch import ROUTE_KEYS, read_lines, write_answers
    from istio_notebook.cli.route import batch_pairs

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "requests.jsonl"
        path.write_text("".join(json.dumps(line) + "\n" for line in lines))
        start, cpu = time.perf_counter(), time.process_time()
        pairs = batch_pairs(read_lines(str(path), ROUTE_KEYS))
        # Written to a file as the CLI's standard output is (UTF-8 encoding included), not kept:
        # a StringIO holding 30 MB of answers cost page faults the CLI does not have.
        with open(os.devnull, "w", encoding="utf-8") as sink, contextlib.redirect_stdout(sink):
            write_answers(route(mesh, r, p, lang="en").json_line() for r, p in pairs)
        return len(lines) / (time.perf_counter() - start), len(lines) / (time.process_time() - cpu)


def _end_to_end(text: str, line: dict) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one real `istio-notebook route` process on the mesh."""
    with tempfile.TemporaryDirectory() as tmp:
        mesh_file = Path(tmp) / "mesh.yaml"
        mesh_file.write_text(text)
        command = [sys.executable, "-m", "istio_notebook", "route", str(mesh_file), "--request", line["request"],
                   "--from", line["from"], "--format", "json"]
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
    return seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def measure(services: int, requests: int, rng: random.Random, batch: int = 20_000) -> None:
    text = manifest(services)
    lines = _requests(services, max(min(requests, 5000), 2), rng)
    e2e_s, cli_peak_mb = _end_to_end(text, lines[1])  # first, in its own process: its own peak
    # Parsed as the CLI parses a file (config.load_paths pauses the cyclic GC while it builds
    # nodes): with the GC on, this process's parse took 34 s at 5,000 services against the CLI's
    # whole run of 15 s, so the ratio below compared the CLI with a slower path than its own.
    # Like load_paths, a large input's survivors then go to the permanent generation (gc.freeze), so
    # the batch below does not rescan the mesh in every full collection, as the CLI's does not.
    def parse():
        with gc_paused() as pause:
            loaded = load_text(text, Origin("<generated>"))
            pause.freeze = len(loaded.resources) >= LARGE_INPUT
        return loaded

    loaded, parse_s = _timed(parse)
    mesh, mesh_s = _timed(lambda: Mesh(loaded.resources))
    sidecar, gateway = Proxy.parse_from("ns-0/app=client"), Proxy.gateway("ns-0", "edge")
    _, index_s = _timed(lambda: (build_table(mesh, sidecar), build_table(mesh, gateway)))
    median, p99, cpu_us = _per_request(mesh, lines, requests)
    rate, cpu_rate = _batch_rate(mesh, _requests(services, max(batch, 2), rng))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{services:>6} services {len(mesh):>7} resources | parse {parse_s:6.2f} s | load {parse_s + mesh_s:6.2f} s | "
          f"index {index_s:5.2f} s | CLI end-to-end {e2e_s:6.2f} s ({e2e_s / parse_s:.2f}x parse), peak RSS {cli_peak_mb:5.0f} MB | "
          f"per request median {median:5.1f} µs p99 {p99:6.1f} µs, CPU {cpu_us:5.1f} µs ({requests} requests) | "
          f"batch {rate:7,.0f} req/s (CPU time: {cpu_rate:7,.0f} req/s) | benchmark peak RSS {peak_mb:5.0f} MB | "
          f"load {os.getloadavg()[0]:.2f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=20_000, help="requests in the batch-mode run")
    parser.add_argument("--sizes", default="100,1000,5000,20000")
    parser.add_argument("--gateway-api-routes", type=int, default=1000, help="HTTPRoutes on one Gateway (0: skip)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # one size, in this process
    parser.add_argument("--gateway-api-one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        measure(args.one, args.requests, random.Random(7), args.batch)
        return
    if args.gateway_api_one:
        gateway_api(args.gateway_api_routes, args.requests)
        return
    for size in (int(s) for s in args.sizes.split(",")):
        # A fresh process per size: peak RSS and caches belong to that size alone.
        subprocess.run([sys.executable, __file__, "--one", str(size), "--requests", str(args.requests),
                        "--batch", str(args.batch)], check=True)
    if args.gateway_api_routes > 0:
        subprocess.run([sys.executable, __file__, "--gateway-api-one", "--gateway-api-routes", str(args.gateway_api_routes),
                        "--requests", str(args.requests)], check=True)


def gateway_api(routes: int, requests: int) -> None:
    """The Gateway API mesh beside its VirtualService twin (one home for both meshes: gateway_api_scale.py)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import gateway_api_scale as gw

    print(f"Gateway API mesh: {routes:,} HTTPRoutes on one Gateway, beside {routes:,} VirtualServices on one Istio Gateway", flush=True)
    vs = gw.measure("VirtualService", gw.istio_mesh(routes), routes, requests, 7)
    http = gw.measure("HTTPRoute", gw.gateway_api_mesh(routes), routes, requests, 7)
    print(f"per request median: HTTPRoute {http:.1f} µs, VirtualService {vs:.1f} µs: {http / vs:.2f}× (target ≤ 1.20×)", flush=True)


if __name__ == "__main__":
    main()
