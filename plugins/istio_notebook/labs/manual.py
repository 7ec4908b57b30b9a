"""A lab's steps by hand: the kubectl and curl commands ``lab run --backend kind`` stands for.

Shown on the lab's page beside ``istio-notebook lab run`` so a reader with their own cluster sees
what is applied, from which pod each request is sent and what should come back. Generated from the
lab folder (manifests in apply order, the checks' requests and expectations), so it cannot drift.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from istio_notebook.config import Mesh
from istio_notebook.examples.model import Check, Expectation
from istio_notebook.labs import connections
from istio_notebook.labs.catalog import Lab
from istio_notebook.labs.kind import NotRunnable, client_for
from istio_notebook.labs.scenario import read_checks
from istio_notebook.labs.verdicts import UNOBSERVABLE

UNOBSERVABLE_NOTE = "（クライアントが受け取る応答からは分かりません。sim と envoy のバックエンドが確認します）"
# What an authorization verdict looks like to curl (as verdicts._judge_authz reads it).
AUTHZ_NOTES = {
    "ALLOW": "（アプリが応答する）",
    "DENY": "（403 と本文 RBAC: access denied。STRICT が平文を切るときは応答がなく、curl が失敗する）",
}


def _note(expectation: Expectation) -> str:
    if expectation.clause in UNOBSERVABLE:
        return UNOBSERVABLE_NOTE
    if expectation.clause == "authz":
        return AUTHZ_NOTES.get(str(expectation.args.get("decision")), "")
    return ""


def _client(check: Check, default: str) -> tuple[str, str] | str:
    """(namespace, label selector) of the pod a check is sent from, or why no pod can send it.

    The same choice as the kind backend's: a plaintext check (``@mtls off``) from the client
    without a sidecar, ``@source-principal`` from the sleep pod of that namespace.
    """
    try:
        client = client_for(check, Mesh(), default)
    except NotRunnable as reason:
        return str(reason)
    return client.namespace, client.selector


def _curl(check: Check) -> str:
    request = check.request
    assert request is not None
    argv = ["curl", "-sS"]
    if request.method != ("POST" if request.data is not None else "GET"):
        argv += ["-X", request.method]
    for header in request.headers:
        argv += ["-H", header]
    if request.data is not None:
        argv += ["--data", request.data]
    return shlex.join([*argv, request.url])


def _connection(check: Check, default: str) -> str:
    """nc / openssl s_client as the kind backend runs them in the client pod's tools container
    (labs/connections.py): a line (or an HTTP request inside TLS) sent, the reply printed
    (the TCP echo answers ``inb-echo:<app>:<version> <line>``)."""
    request = check.request
    assert request is not None
    host, _, port = request.url.partition("://")[2].rpartition(":")
    target = "GATEWAY_ADDRESS" if check.context.via else host.strip("[]")
    command = connections.one_connection(request, target, port, "hello").replace("GATEWAY_ADDRESS", "$GATEWAY")
    if check.context.via:
        return f"{_gateway_note(check)}\n{command}"
    client = _client(check, default)
    if isinstance(client, str):
        return _unsendable(client)
    namespace, selector = client
    return (f"kubectl exec -n {shlex.quote(namespace)} {_pod_lookup(namespace, selector)} -c {connections.TOOLS_CONTAINER} "
            f"-- sh -c {shlex.quote(command)}")


def _unsendable(reason: str) -> str:
    return f"# 手では送れません（kind バックエンドも SKIP します）: {reason}"


def _gateway_note(check: Check) -> str:
    return (f"# ゲートウェイ {check.context.via} 経由: $GATEWAY はゲートウェイの Service のアドレス"
            "（kind バックエンドは名前空間 outside の Pod からクラスター内の Service 名に送る）")


def _pod_lookup(namespace: str, selector: str) -> str:
    label = f" -l {shlex.quote(selector)}" if selector else ""
    return f"$(kubectl get pod -n {shlex.quote(namespace)}{label} -o jsonpath='{{.items[0].metadata.name}}')"


def steps(lab: Lab, root: Path) -> str:
    """The commands, as one shell block (comments in Japanese: site content)."""
    relative = lab.directory.relative_to(root).as_posix()
    lines = ["# 1. マニフェストを適用順に適用する"]
    lines += [f"kubectl apply -f {relative}/{m.name}" for m in lab.manifests]
    lines += ["", "# 2. チェックのリクエストを送る（→ は期待する結果）"]
    checks, _ = read_checks(lab.checks_file)
    for check in checks:
        if check.request is None:
            continue
        lines.append("")
        if check.title:
            lines.append(f"# {check.title}")
        if check.request.is_connection:
            lines.append(_connection(check, lab.client))
        elif check.context.via:
            lines.append(_gateway_note(check))
            port = "443" if check.request.url.startswith("https:") else "80"
            host = check.request.url.split("/")[2].split(":")[0]
            lines.append(_curl(check).replace("curl -sS", f"curl -sS --connect-to {host}:{port}:$GATEWAY:{port}", 1))
        else:
            client = _client(check, lab.client)
            if isinstance(client, str):
                lines.append(_unsendable(client))
            else:
                namespace, selector = client
                lines.append(f"kubectl exec -n {shlex.quote(namespace)} {_pod_lookup(namespace, selector)} -- {_curl(check)}")
        lines += [f"#   → {e.text}{_note(e)}" for e in check.expectations]
    return "\n".join(lines) + "\n"
