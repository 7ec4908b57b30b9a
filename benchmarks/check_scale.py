"""How `istio-notebook check` (load + validate + analyze) scales with the number of services.

Generates, for N services, a Service + Deployment + VirtualService + DestinationRule (3 subsets)
each and one Gateway, then prints resources/s for load+analyze, the ratio to a bare
``yaml.load_all(text, CSafeLoader)`` of the same text, and the time per service (flat per-service
time = linear growth). Target (issue 2): ratio <= 3 and linear growth.

    .venv/bin/python benchmarks/check_scale.py [N ...]     (default: 100 1000 5000)
"""

from __future__ import annotations

import gc
import sys
import tempfile
import time
from pathlib import Path

import yaml

from istio_notebook.analysis import analyze, run_analyzers
from istio_notebook.config import Mesh, load_paths

GATEWAY = """\
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ["*"]
"""

SERVICE = """\
---
apiVersion: v1
kind: Service
metadata:
  name: svc{i}
  namespace: ns{ns}
  labels: {{app: svc{i}}}
spec:
  selector: {{app: svc{i}}}
  ports:
  - name: http
    port: 8080
    targetPort: 8080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc{i}-v1
  namespace: ns{ns}
spec:
  replicas: 1
  selector:
    matchLabels: {{app: svc{i}, version: v1}}
  template:
    metadata:
      labels: {{app: svc{i}, version: v1}}
    spec:
      containers:
      - name: app
        image: example/svc:1.0
        ports: [{{containerPort: 8080}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: svc{i}
  namespace: ns{ns}
spec:
  hosts: [svc{i}, svc{i}.example.com]
  gateways: [istio-system/public, mesh]
  http:
  - match:
    - uri: {{prefix: /v2}}
      headers: {{x-canary: {{exact: "true"}}}}
    route:
    - destination: {{host: svc{i}, subset: v2}}
  - match:
    - uri: {{prefix: /api}}
    route:
    - destination: {{host: svc{i}, subset: v1}}
      weight: 90
    - destination: {{host: svc{i}, subset: v3}}
      weight: 10
    timeout: 5s
    retries: {{attempts: 3, perTryTimeout: 2s}}
  - route:
    - destination: {{host: svc{i}, subset: v1}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: svc{i}
  namespace: ns{ns}
spec:
  host: svc{i}
  trafficPolicy:
    connectionPool: {{tcp: {{maxConnections: 100}}}}
    outlierDetection: {{consecutive5xxErrors: 5, interval: 10s, baseEjectionTime: 30s}}
  subsets:
  - name: v1
    labels: {{version: v1}}
  - name: v2
    labels: {{version: v2}}
  - name: v3
    labels: {{version: v3}}
"""


def generate(services: int) -> str:
    return GATEWAY + "".join(SERVICE.format(i=i, ns=i % 20) for i in range(services))


def timed(fn):
    # CPU time of this process: the figures stay comparable when other jobs share the cores.
    gc.collect()
    start = time.process_time()
    value = fn()
    return time.process_time() - start, value


def measure(services: int, directory: Path) -> dict:
    text = generate(services)
    path = directory / f"scale-{services}.yaml"
    path.write_text(text, encoding="utf-8")
    bare, documents = timed(lambda: sum(1 for _ in yaml.load_all(text, Loader=yaml.CSafeLoader)))
    load_time, loaded = timed(lambda: load_paths([path]))
    mesh = Mesh(loaded.resources)
    analyze_time, diagnostics = timed(lambda: analyze(mesh))
    # The registered analyzers alone; the rest of analyze() is schema validation (IST0106).
    analyzers_time, _ = timed(lambda: run_analyzers(mesh))
    total = load_time + analyze_time
    return {
        "services": services,
        "resources": len(loaded.resources),
        "documents": documents,
        "bare": bare,
        "load": load_time,
        "analyze": analyze_time,
        "analyzers": analyzers_time,
        "total": total,
        "diagnostics": len(diagnostics) + len(loaded.diagnostics),
    }


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or [100, 1000, 5000]
    with tempfile.TemporaryDirectory() as tmp:
        measure(20, Path(tmp))  # warm-up: imports, first-use schema builds
        rows = [measure(n, Path(tmp)) for n in sizes]
    print(
        f"{'services':>8} {'resources':>9} {'bare s':>7} {'load s':>7} {'analyze s':>9} {'of which analyzers':>18} "
        f"{'total s':>7} {'res/s':>7} {'x bare':>6} {'ms/svc':>6} {'diags':>5}"
    )
    for r in rows:
        print(
            f"{r['services']:>8} {r['resources']:>9} {r['bare']:>7.2f} {r['load']:>7.2f} {r['analyze']:>9.2f} {r['analyzers']:>18.2f} "
            f"{r['total']:>7.2f} {r['resources'] / r['total']:>7.0f} {r['total'] / r['bare']:>6.2f} "
            f"{1000 * r['total'] / r['services']:>6.2f} {r['diagnostics']:>5}"
        )
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        growth = (last["total"] / last["services"]) / (first["total"] / first["services"])
        print(f"per-service time, largest vs smallest run: {growth:.2f}x (1.00 = linear)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
