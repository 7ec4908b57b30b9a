"""How `route --backend envoy` scales with the mesh: time to the answer and time to exit.

Generates a mesh of N services spread over 20 namespaces (each Service with two ports and a
Deployment behind it; a third with a second Deployment (v2), a VirtualService of header/regex/catch-all rules and a DestinationRule with subsets, some
of them ISTIO_MUTUAL; the rest auto mutual TLS), runs the real
command in a subprocess (one Envoy, one echo upstream per cluster it loads) and prints, per size:
the seconds until the JSON answer is on stdout, seconds from the answer to exit, the CPU seconds
of the command and its children (Envoy included), the peak RSS and the load average before the
run (wall-clock figures on a loaded machine are inflated; CPU time is not). The command replays
one request, so Envoy is given only what that request can reach (envoy/focus.py: the virtual
hosts its Host could match and their clusters). Targets (issue 13): 5,000 services answer in under 10 s and exit within 1 s
of answering. Also prints the echo fleet alone (start and stop of N servers, threads used).

    .venv/bin/python benchmarks/envoy_scale.py [--sizes 500,2000,5000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

NAMESPACES = 20


def _deployment(i: int, ns: str, version: str) -> str:
    return (f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: svc-{i}-{version}, namespace: {ns}}}\n"
            f"spec:\n  selector: {{matchLabels: {{app: svc-{i}, version: {version}}}}}\n"
            f"  template:\n    metadata: {{labels: {{app: svc-{i}, version: {version}}}}}\n"
            f"    spec: {{containers: [{{name: app, image: example/svc:1}}]}}\n")


def _service(i: int) -> str:
    ns = f"team-{i % NAMESPACES}"
    doc = (f"apiVersion: v1\nkind: Service\nmetadata: {{name: svc-{i}, namespace: {ns}}}\n"
           f"spec:\n  selector: {{app: svc-{i}}}\n  ports: [{{name: http, port: 8080}}, {{name: grpc-api, port: 9090}}]\n"
           f"---\n{_deployment(i, ns, 'v1')}")
    if i % 3:
        return doc
    doc += f"---\n{_deployment(i, ns, 'v2')}"
    mode = "ISTIO_MUTUAL" if i % 2 else "DISABLE"
    return doc + f"""---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: svc-{i}, namespace: {ns}}}
spec:
  hosts: [svc-{i}]
  http:
  - match: [{{headers: {{end-user: {{exact: jason}}}}}}]
    route: [{{destination: {{host: svc-{i}, subset: v2, port: {{number: 8080}}}}}}]
  - match: [{{uri: {{regex: '/api/v[0-9]+/.*'}}}}]
    timeout: 3s
    route:
    - {{destination: {{host: svc-{i}, subset: v1, port: {{number: 8080}}}}, weight: 90}}
    - {{destination: {{host: svc-{i}, subset: v2, port: {{number: 8080}}}}, weight: 10}}
  - route: [{{destination: {{host: svc-{i}, subset: v1, port: {{number: 8080}}}}}}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: svc-{i}, namespace: {ns}}}
spec:
  host: svc-{i}
  trafficPolicy: {{tls: {{mode: {mode}}}}}
  subsets: [{{name: v1, labels: {{version: v1}}}}, {{name: v2, labels: {{version: v2}}}}]
"""


def mesh(services: int) -> str:
    return "---\n".join(_service(i) for i in range(services))


def run_route(path: Path, services: int) -> tuple[float, float, float, float, dict]:
    """Seconds to the answer, seconds from the answer to exit, CPU seconds, peak RSS (MB), the answer."""
    target = services - 1  # the last service: no early exit from a lookup
    argv = [sys.executable, "-m", "istio_notebook", "route", str(path), "--from", "team-0/app=client",
            "--request", f"GET http://svc-{target}.team-{target % NAMESPACES}:8080/api/v2/items",
            "--backend", "envoy", "--format", "json"]
    started = time.monotonic()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.read(1)  # the answer is written at once, after Envoy answered
    answered = time.monotonic()
    rest = process.stdout.read()
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    exited = time.monotonic()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"route failed ({os.waitstatus_to_exitcode(status)}): {errors.decode(errors='replace')[-2000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    return answered - started, exited - answered, cpu, usage.ru_maxrss / 1024, json.loads(first + rest)


def fleet_alone(servers: int) -> str:
    from istio_notebook.envoy.echo import EchoFleet, EchoIdentity

    before = threading.active_count()
    started = time.monotonic()
    fleet = EchoFleet()
    for i in range(servers):
        fleet.add(EchoIdentity(f"outbound|8080||svc-{i}"))
    up = time.monotonic() - started
    threads = threading.active_count() - before
    started = time.monotonic()
    fleet.close()
    return f"echo fleet alone: {servers} servers start {up:.2f} s, stop {(time.monotonic() - started) * 1000:.0f} ms, {threads} thread(s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,2000,5000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(fleet_alone(max(sizes) * 2))
    print(f"{'services':>8} {'answer s':>9} {'exit after s':>12} {'cpu s':>6} {'peak MB':>8} {'load':>5}  outcome")
    with tempfile.TemporaryDirectory(prefix="istio-notebook-envoy-scale-") as tmp:
        for size in sizes:
            path = Path(tmp) / f"mesh-{size}.yaml"
            path.write_text(mesh(size))
            load = os.getloadavg()[0]
            answer, exit_after, cpu, peak, outcome = run_route(path, size)
            shares = ", ".join(f"{d['cluster']} {d['weight']}%" for d in outcome.get("destinations") or [])
            print(f"{size:>8} {answer:>9.2f} {exit_after:>12.2f} {cpu:>6.2f} {peak:>8.0f} {load:>5.1f}  "
                  f"{outcome['action']} {shares}")


if __name__ == "__main__":
    main()
