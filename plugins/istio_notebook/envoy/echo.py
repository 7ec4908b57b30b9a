"""Upstream echo servers on loopback that say who they are and what they received.

Each server stands for one Envoy cluster (one host/subset/port) and answers every request with
JSON: its own identity, the method, path and headers it received. A shared ``EchoLog`` records
every request by the client's request id (header ``x-inb-request``, forwarded by Envoy, copied
onto mirrored requests), so the replay can count retries (the same id seen several times by the
serving cluster) and mirrored copies (the id seen by another cluster).

Servers can be told to misbehave, per server (``EchoServer(status=..., delay=...)``) or per
request through headers, which Envoy forwards upstream:
  ``x-echo-status: 503``      answer with that status instead of 200
  ``x-echo-delay-ms: 1500``   sleep that long before answering (timeouts)
  ``x-echo-grpc-status: 14``  add that ``grpc-status`` to the answer (gRPC retry conditions)
"""

from __future__ import annotations

import json
import ssl
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REQUEST_ID_HEADER = "x-inb-request"
STATUS_HEADER = "x-echo-status"
DELAY_HEADER = "x-echo-delay-ms"
GRPC_STATUS_HEADER = "x-echo-grpc-status"
IDENTITY_HEADER = "x-echo-server"
MAX_DELAY_SECONDS = 30.0  # bounded even when a header asks for more


@dataclass(frozen=True)
class EchoIdentity:
    """What the server says it is: the Envoy cluster it stands for."""

    name: str  # the cluster name, e.g. outbound|9080|v2|reviews.default.svc.cluster.local
    host: str = ""
    subset: str = ""
    port: int | None = None

    def to_json(self) -> dict:
        return {"name": self.name, "host": self.host, "subset": self.subset, "port": self.port}


@dataclass
class Received:
    server: str
    request_id: str
    method: str
    path: str
    headers: dict[str, str]
    at: float
    tls: dict | None = None  # None: plaintext; {"peer": SPIFFE URI of the client certificate or None}


@dataclass
class EchoLog:
    """Every request any echo server received, indexed by the client's request id."""

    _by_id: dict[str, list[Received]] = field(default_factory=lambda: defaultdict(list))
    _lock: threading.Condition = field(default_factory=threading.Condition)

    def add(self, item: Received) -> None:
        with self._lock:
            self._by_id[item.request_id].append(item)
            self._lock.notify_all()

    def of(self, request_id: str) -> list[Received]:
        with self._lock:
            return list(self._by_id.get(request_id, ()))

    def wait_for(self, request_id: str, count: int, timeout: float) -> list[Received]:
        """Wait (bounded) until ``count`` requests with that id arrived; return what arrived."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self._by_id.get(request_id, ())) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._lock.wait(left)
            return list(self._by_id.get(request_id, ()))


def _raw_target(request_line: str, parsed: str) -> str:
    """The request target exactly as sent. http.server (3.12+) collapses a leading "//" in
    ``self.path`` (gh-87389), which would hide Envoy's `//x` after a prefix rewrite to "/"."""
    parts = request_line.split(" ")
    return parts[1] if len(parts) == 3 and parts[1].startswith("/") else parsed


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: Envoy reuses upstream connections
    disable_nagle_algorithm = True  # headers and body go in two writes: no 40 ms delayed-ACK stall
    server: _Server

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        self.server.log.add(
            Received(
                server=self.server.identity.name,
                request_id=headers.get(REQUEST_ID_HEADER, ""),
                method=self.command,
                path=_raw_target(self.requestline, self.path),
                headers=headers,
                at=time.monotonic(),
                tls=_peer(self.connection),
            )
        )
        status = self.server.status
        delay = self.server.delay
        try:
            status = int(headers.get(STATUS_HEADER, status))
        except ValueError:
            pass
        try:
            delay = float(headers.get(DELAY_HEADER)) / 1000.0 if DELAY_HEADER in headers else delay
        except ValueError:
            pass
        if delay > 0:
            time.sleep(min(delay, MAX_DELAY_SECONDS))
        payload = json.dumps(
            {
                "server": self.server.identity.to_json(),
                "method": self.command,
                "path": self.path,
                "headers": headers,
                "body": body.decode("utf-8", "replace"),
            }
        ).encode()
        try:
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header(IDENTITY_HEADER, self.server.identity.name)
            grpc_status = headers.get(GRPC_STATUS_HEADER, "")
            if grpc_status.isdigit():
                self.send_header("grpc-status", grpc_status)
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # Envoy gave up (timeout): nothing to answer

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _answer

    def log_message(self, format: str, *args: object) -> None:
        return  # silent: the EchoLog is the record


def _peer(connection: object) -> dict | None:
    """What TLS the client used: None for plaintext, else the SPIFFE URI of its certificate."""
    if not isinstance(connection, ssl.SSLSocket):
        return None
    cert = connection.getpeercert() or {}
    uris = [value for kind, value in cert.get("subjectAltName", ()) if kind == "URI"]
    return {"peer": uris[0] if uris else None}


@dataclass(frozen=True)
class EchoTls:
    """Serve TLS with this certificate; ask for (and verify, when sent) a client certificate."""

    cert: str
    key: str
    ca: str


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, identity: EchoIdentity, log: EchoLog, status: int, delay: float, tls: EchoTls | None = None):
        self.identity, self.log, self.status, self.delay = identity, log, status, delay
        super().__init__(("127.0.0.1", 0), _Handler)
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(tls.cert, tls.key)
            context.load_verify_locations(tls.ca)
            context.verify_mode = ssl.CERT_OPTIONAL  # Istio mTLS sends one; SIMPLE origination does not
            context.set_alpn_protocols(["istio-peer-exchange", "istio", "http/1.1"])
            self.socket = context.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)

    def finish_request(self, request, client_address) -> None:
        if isinstance(request, ssl.SSLSocket):
            try:
                request.do_handshake()  # in the request's own thread, not the accept loop
            except (ssl.SSLError, OSError):
                return
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address) -> None:
        return  # Envoy resets connections it gave up on (timeouts, shutdown): not an error here


class EchoFleet:
    """A set of echo servers sharing one log; a context manager that stops them all."""

    def __init__(self) -> None:
        self.log = EchoLog()
        self._servers: dict[str, _Server] = {}
        self._threads: list[threading.Thread] = []

    def add(self, identity: EchoIdentity, *, status: int = 200, delay: float = 0.0, tls: EchoTls | None = None) -> int:
        """Start a server for ``identity`` (once per name); return its loopback port."""
        existing = self._servers.get(identity.name)
        if existing is not None:
            return existing.server_address[1]
        server = _Server(identity, self.log, status, delay, tls)
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True,
            name=f"echo {identity.name}",
        )
        thread.start()
        self._servers[identity.name] = server
        self._threads.append(thread)
        return server.server_address[1]

    def port_of(self, name: str) -> int:
        return self._servers[name].server_address[1]

    def names(self) -> list[str]:
        return list(self._servers)

    def close(self) -> None:
        for server in self._servers.values():
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=2)
        self._servers.clear()
        self._threads.clear()

    def __enter__(self) -> EchoFleet:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
