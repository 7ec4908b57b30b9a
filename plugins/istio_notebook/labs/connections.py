"""``nc`` and ``openssl s_client`` as the kind backend runs them in the client pod, and what they show.

A connection check runs as a learner would run it, in the client pod's ``tools`` container (a
pinned image with netcat-openbsd and OpenSSL: labs/pins.py), so the pod's sidecar takes the
connection exactly as it takes curl's: ``kubectl exec -c tools -- sh -c SCRIPT``. Per connection:

- ``nc HOST PORT``: a one-line payload (``inb-probe <id>``) piped to ``nc -N -w 5``; the TCP echo
  server (labs/workloads.py, istio's tcp-echo-server) answers ``inb-echo:<app>:<version> <line>``.
  A ``-z`` line is sent with a payload too: through a sidecar the connect itself always succeeds
  (the sidecar accepts it), so only an answer tells where the connection went;
- ``openssl s_client -connect HOST:PORT -servername SNI [-alpn P]``: an HTTP request inside the
  TLS session (``-quiet``, standard input), answered by the HTTPS side of the echo server with
  its JSON echo (labs/curl.py reads it).

Every command is bounded (``timeout`` around each tool, the tool's own ``-w``); each connection
ends with a marker line carrying the tool's exit code. A weighted expectation opens
``repeat`` connections (TCP weights apply per connection). Gateway checks connect to the
gateway's Service, as curl's ``--connect-to`` does.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from istio_notebook.examples.model import Request
from istio_notebook.labs.curl import Echo, Transfer, echo_of
from istio_notebook.labs.runner import CommandRunner, Completed

TOOLS_CONTAINER = "tools"
CONNECT_SECONDS = 5  # nc -w: connect and idle timeout
TOOL_SECONDS = 10  # timeout(1) around each connection
ECHO_PREFIX = "inb-echo"  # the TCP echo server's answer: inb-echo:<app>:<version> <line>
_MARK = "@@INB-CONN@@"
_MARK_LINE = re.compile(rf"^{_MARK} (\d+)$", re.M)
MIN_OPENSSL = (1, 1, 1)  # s_client sends SNI from -connect and takes -alpn (OpenSSL 1.1.1+)


def _target(request: Request, connect_to: str | None) -> tuple[str, str]:
    """(host, port) to dial: the check's, or the gateway Service ``connect_to`` names (HOST:PORT:SVC:PORT)."""
    authority = request.url.partition("://")[2]
    host, _, port = authority.rpartition(":")
    if connect_to:
        parts = connect_to.rsplit(":", 2)
        host, port = parts[-2], parts[-1]
    return host.strip("[]"), port


_HTTP_IN_TLS = r"'GET / HTTP/1.1\r\nHost: %s\r\nx-inb-probe: %s\r\nConnection: close\r\n\r\n'"  # printf's format


def one_connection(request: Request, host: str, port: str, line: str) -> str:
    """One connection as a shell command: nc with ``line``, or s_client with an HTTP request inside
    TLS carrying it (SNI: the check's -servername, else the host it names; its -alpn as given)."""
    if request.tool == "nc":
        return (f"echo {shlex.quote(line)} | timeout {TOOL_SECONDS} nc -N -w {CONNECT_SECONDS} "
                f"{shlex.quote(host)} {shlex.quote(port)}")
    if request.tool == "openssl":
        sni = request.sni or request.url.partition("://")[2].rpartition(":")[0].strip("[]")
        alpn = f" -alpn {shlex.quote(request.alpn)}" if request.alpn else ""
        return (f"printf {_HTTP_IN_TLS} {shlex.quote(sni)} {shlex.quote(line)} | timeout {TOOL_SECONDS} openssl s_client "
                f"-quiet -connect {shlex.quote(f'{host}:{port}')} -servername {shlex.quote(sni)}{alpn} 2>/dev/null")
    raise ValueError(f"{request.tool} is not a connection tool")


def connection_script(request: Request, *, probe_id: str, repeat: int = 1, connect_to: str | None = None) -> str:
    """The shell script for ``request`` (an nc or openssl check line), ``repeat`` connections,
    each followed by a marker line with the tool's exit code."""
    one = one_connection(request, *_target(request, connect_to), f"inb-probe {probe_id}")
    return f"for i in $(seq {int(repeat)}); do {one}; rc=$?; echo; echo \"{_MARK} $rc\"; done"


class ToolsMissing(ValueError):
    """The client pod's tools container cannot run the check (the message says what is missing)."""


@dataclass
class Shell:
    """``kubectl exec`` into one client pod's tools container; ``checked``: pods already preflighted."""

    runner: CommandRunner
    context: str
    namespace: str
    pod: str
    checked: dict[tuple[str, str], str | None]

    def argv(self, script: str) -> list[str]:
        return ["kubectl", "--context", self.context, "exec", "-n", self.namespace, self.pod, "-c", TOOLS_CONTAINER,
                "--", "sh", "-c", script]

    def preflight(self) -> None:
        """Once per pod: the tools exist and OpenSSL is new enough, else ToolsMissing."""
        key = (self.namespace, self.pod)
        if key not in self.checked:
            done = self.runner.run(self.argv(tools_probe_script()), timeout=30)
            self.checked[key] = missing_tools(done.ok, done.stdout)
        if self.checked[key]:
            raise ToolsMissing(self.checked[key])

    def send(self, request: Request, *, probe_id: str, repeat: int, connect_to: str | None) -> tuple[list[Transfer], Completed]:
        self.preflight()
        script = connection_script(request, probe_id=probe_id, repeat=repeat, connect_to=connect_to)
        done = self.runner.run(self.argv(script), timeout=TOOL_SECONDS * repeat + 30)
        return parse_connections(done.stdout, request.tool), done


def _tcp_echo(reply: str) -> Echo | None:
    for line in reply.splitlines():
        word = line.split(" ", 1)[0]
        if word.startswith(f"{ECHO_PREFIX}:"):
            _, app, version = (word.split(":", 2) + ["", ""])[:3]
            return Echo(service=app, version=version, path="", headers={}, pod="")
    return None


def _http_status(reply: str) -> int:
    """The status of an HTTP answer (an HTTP listener's 400 to nc's payload, the echo's over TLS), else 0."""
    status = re.match(r"HTTP/\d(?:\.\d)? (\d{3})", reply)
    return int(status[1]) if status else 0


def _tls_echo(reply: str) -> Echo | None:
    return echo_of(reply.replace("\r\n", "\n").partition("\n\n")[2])


def parse_connections(stdout: str, tool: str) -> list[Transfer]:
    """One Transfer per connection (``connection=True``): the echo that answered, the raw reply."""
    transfers: list[Transfer] = []
    start = 0
    for mark in _MARK_LINE.finditer(stdout):
        reply = stdout[start:mark.start()].strip("\n")
        start = mark.end() + 1
        echo = _tls_echo(reply) if tool == "openssl" else _tcp_echo(reply)
        transfers.append(Transfer(status=_http_status(reply), seconds=0.0, exit_code=int(mark[1]), redirect_url=None,
                                  response_headers={}, body=reply, echo=echo, connection=True))
    return transfers


def tools_probe_script() -> str:
    """What the tools container must have: netcat-openbsd's nc (-N) and OpenSSL's version."""
    return "command -v timeout >/dev/null && nc -h 2>&1 | grep -q -- -N && openssl version"


def missing_tools(completed_ok: bool, stdout: str) -> str | None:
    """Why the tools container cannot run connection checks, or None."""
    match = re.search(r"OpenSSL (\d+)\.(\d+)\.(\d+)", stdout)
    if not completed_ok or match is None:
        return (f"the client pod's {TOOLS_CONTAINER} container lacks timeout, netcat-openbsd's nc (-N) or openssl "
                f"({stdout.strip()[:80] or 'no output'})")
    found = tuple(int(g) for g in match.groups())
    if found < MIN_OPENSSL:
        return f"OpenSSL {'.'.join(map(str, found))} in the {TOOLS_CONTAINER} container is older than 1.1.1"
    return None


def judge_connection(clause: str, first: Transfer) -> tuple[bool, str]:
    """no-route / blackhole / passthrough for a connection: closed without an answer, or answered
    by something that is not our echo (outside the mesh)."""
    answered = bool(first.body.strip())
    said = (f"{first.echo.service} {first.echo.version}".strip() if first.echo else
            f"answer {first.body.strip()[:40]!r}" if answered else "closed without an answer")
    if clause in ("no-route", "blackhole"):
        return first.echo is None and (not answered or first.status >= 400), said
    return answered and first.echo is None, said  # passthrough
