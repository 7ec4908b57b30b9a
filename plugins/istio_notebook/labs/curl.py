"""curl as the kind backend runs it inside a pod, and what its output says.

Every request runs as ``curl -sS ... -w MARKER%{json}...`` so one invocation can carry
several transfers (weighted routes send the same URL many times) and each transfer's status,
time, redirect target and response headers come back machine-readable (curl's ``%{json}`` and
``%{header_json}`` write-out variables, curl ≥ 7.83; the pinned curl image is 8.x). The echo
server's JSON body then says who served the request and what it received.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import urlencode

from istio_notebook.examples.model import Request

PROBE_HEADER = "x-inb-probe"  # a unique id per probe, so the upstream's logs can be searched for it
_START = "@@INB-CURL@@"
_HEADERS = "@@INB-HEADERS@@"
_END = "@@INB-END@@"
WRITE_OUT = f"\n{_START}%{{json}}{_HEADERS}%{{header_json}}{_END}\n"
MAX_TIME = 30.0


@dataclass
class Echo:
    """What the echo server (ghcr.io/mendhak/http-https-echo) says it received."""

    service: str
    version: str
    path: str  # with the query string, as the upstream received it
    headers: dict[str, str]  # lower-case names
    pod: str


@dataclass
class Transfer:
    status: int  # 0 when no HTTP response arrived (reset, refused, timeout)
    seconds: float
    exit_code: int
    redirect_url: str | None
    response_headers: dict[str, str]
    body: str
    error: str | None = None
    echo: Echo | None = field(default=None)
    connection: bool = False  # an nc / openssl connection (labs/connections.py): no HTTP status of its own


def curl_argv(request: Request, *, probe_id: str, repeat: int = 1, extra_headers: tuple[str, ...] = (),
              connect_to: str | None = None, max_time: float = MAX_TIME) -> list[str]:
    """The curl command line for ``request`` (never a shell string)."""
    argv = ["curl", "-sS", "--max-time", f"{max_time:g}", "-X", request.method]
    for header in (*request.headers, *extra_headers, f"{PROBE_HEADER}: {probe_id}"):
        argv += ["-H", header]
    if request.data is not None:
        argv += ["--data", request.data]
    if connect_to:
        argv += ["--connect-to", connect_to]
        if request.url.startswith("https:"):
            argv.append("-k")  # the gateway's certificate is the lab's own; we check routing, not PKI
    argv += ["-w", WRITE_OUT]
    argv += [request.url] * repeat
    return argv


def echo_of(body: str) -> Echo | None:
    """The echo server's JSON answer (service, version, path, headers, pod), else None."""
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("env"), dict):
        return None
    env = data["env"]
    path = data.get("originalUrl")
    if not path:
        query = data.get("query") or {}
        path = str(data.get("path", "")) + (f"?{urlencode(query, doseq=True)}" if query else "")
    headers = {str(k).lower(): str(v) for k, v in (data.get("headers") or {}).items()}
    return Echo(
        service=str(env.get("SERVICE_NAME", "")),
        version=str(env.get("SERVICE_VERSION", "")),
        path=str(path),
        headers=headers,
        pod=str((data.get("os") or {}).get("hostname", "")),
    )


def parse_transfers(stdout: str) -> list[Transfer]:
    """Split curl's stdout into transfers; each body is what came before its write-out marker."""
    transfers: list[Transfer] = []
    rest = stdout
    while _START in rest:
        body, _, rest = rest.partition(_START)
        info_text, _, rest = rest.partition(_HEADERS)
        headers_text, _, rest = rest.partition(_END)
        rest = rest[1:] if rest.startswith("\n") else rest
        body = body[:-1] if body.endswith("\n") else body
        try:
            info = json.loads(info_text)
        except json.JSONDecodeError:
            info = {}
        try:
            raw_headers = json.loads(headers_text) if headers_text.strip() else {}
        except json.JSONDecodeError:
            raw_headers = {}
        headers = {
            str(k).lower(): ", ".join(map(str, v)) if isinstance(v, list) else str(v) for k, v in raw_headers.items()
        }
        transfer = Transfer(
            status=int(info.get("http_code") or info.get("response_code") or 0),
            seconds=float(info.get("time_total") or 0.0),
            exit_code=int(info.get("exitcode") or 0),
            redirect_url=info.get("redirect_url") or None,
            response_headers=headers,
            body=body,
            error=info.get("errormsg") or None,
        )
        transfer.echo = echo_of(body)
        transfers.append(transfer)
    return transfers
