"""``-`` reads standard input (issue 20, item 1), through the same bounded reader as files
(config/source.py: at most the file size limit, then INB1012). Run as a user would, in a
subprocess with a pipe: ``kubectl get ... -o yaml | istio-notebook check -``.
"""

from __future__ import annotations

import json
import subprocess
import sys

from istio_notebook.config.source import MAX_FILE_BYTES

DUMP = """\
apiVersion: v1
items:
- apiVersion: networking.istio.io/v1
  kind: Gateway
  metadata: {name: public, namespace: default}
  spec:
    selector: {istio: ingressgateway}
    servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
- apiVersion: networking.istio.io/v1
  kind: VirtualService
  metadata: {name: reviews, namespace: default}
  spec:
    hosts: [reviews]
    gateways: [missing, mesh]
    http: [{route: [{destination: {host: reviews}}]}]
kind: List
metadata:
  resourceVersion: ""
"""


# The VirtualService of DUMP alone, and (as kubectl -o json prints it) with the Service it routes to.
VS_ONLY = """\
apiVersion: v1
items:
- apiVersion: networking.istio.io/v1
  kind: VirtualService
  metadata: {name: reviews, namespace: default}
  spec:
    hosts: [reviews]
    gateways: [missing, mesh]
    http: [{route: [{destination: {host: reviews}}]}]
kind: List
"""
ROUTE_INPUT = json.dumps({"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": [
    {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "reviews", "namespace": "default"},
     "spec": {"selector": {"app": "reviews"}, "ports": [{"name": "http", "port": 9080}]}},
    {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "metadata": {"name": "reviews", "namespace": "default"},
     "spec": {"hosts": ["reviews"], "http": [{"route": [{"destination": {"host": "reviews", "subset": "v1"}}]}]}},
]}, indent=4)


def cli(*argv: str, stdin: bytes) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "istio_notebook", *argv], input=stdin, capture_output=True, timeout=120)


def test_check_reads_a_kubectl_dump_from_standard_input() -> None:
    done = cli("check", "-", "--format", "json", stdin=DUMP.encode())
    assert done.returncode == 1, done.stderr
    [found] = [d for d in json.loads(done.stdout)["diagnostics"] if d["code"] == "IST0101"]  # (and IST0132 there)
    assert (found["code"], found["file"], found["line"], found["origin"]) == (
        "IST0101", "<stdin>", 14, "VirtualService default/reviews")


def test_standard_input_and_files_are_checked_together(tmp_path) -> None:
    # The Gateway the VirtualService names comes from a file, the VirtualService from the pipe.
    (tmp_path / "gw.yaml").write_text(
        "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: missing, namespace: default}\n"
        "spec:\n  selector: {istio: ingressgateway}\n"
        "  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [\"*\"]}]\n")
    done = cli("check", str(tmp_path / "gw.yaml"), "-", stdin=VS_ONLY.encode())
    assert (done.returncode, done.stdout) == (0, b""), done.stdout + done.stderr


def test_route_reads_a_json_dump_from_standard_input() -> None:
    done = cli("route", "-", "--request", "GET http://reviews:9080/", "--format", "json", stdin=ROUTE_INPUT.encode())
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["virtual_service"] == "default/reviews"
    assert [d["cluster"] for d in answer["destinations"]] == ["outbound|9080|v1|reviews.default.svc.cluster.local"]


def test_standard_input_has_the_file_size_limit() -> None:
    big = b"# padding\n" * (MAX_FILE_BYTES // 10 + 1)
    done = cli("check", "-", stdin=big)
    assert done.returncode == 2
    assert b"INB1012" in done.stdout and b"Traceback" not in done.stderr
