"""Upstream echo servers on loopback that say who they are and what they received.

All servers of a fleet share one asyncio event loop in one thread (no polling, no thread per
server or connection): a mesh of thousands of clusters starts and stops in milliseconds
(benchmarks/envoy_scale.py prints the figures). HTTP framing is in envoy/echo_http.py.

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
  ``x-echo-respond-with: a,b`` answer with headers ``a`` and ``b`` set to ``from-upstream``, so
                              that a route's response ``set``/``add``/``remove`` of them shows
                              (envoy/response_probe.py)

A TCP connection (tcp_proxy, TLS passthrough) sends ``INB-L4 <request id>`` and a blank line
instead of a request: not HTTP, so a sniffing listener keeps it on its TCP chain. The server logs
it and answers ``INB-L4 <cluster name>``, then closes (envoy/replay_l4.py reads who answered).
"""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from istio_notebook.envoy.echo_ports import PortAllocator
from istio_notebook.envoy.echo_tls import InnerTls
from istio_notebook.envoy.echo_http import HEAD_LIMIT, BadRequest, Request, read_head, read_request, response_bytes

REQUEST_ID_HEADER = "x-inb-request"
STATUS_HEADER = "x-echo-status"
DELAY_HEADER = "x-echo-delay-ms"
GRPC_STATUS_HEADER = "x-echo-grpc-status"
IDENTITY_HEADER = "x-echo-server"
RESPOND_WITH_HEADER = "x-echo-respond-with"
UPSTREAM_VALUE = "from-upstream"  # the value of every header the upstream was asked to answer with
MAX_RESPOND_WITH = 32  # header names one request may ask for
L4_PROBE = b"INB-L4 "  # a TCP probe's first line (envoy/replay_l4.py); the answer names the cluster
MAX_DELAY_SECONDS = 30.0  # bounded even when a header asks for more
INNER_TIMEOUT = 10.0  # seconds for a client's TLS inside the outer one to say what it wants


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
    lines: tuple[tuple[str, str], ...] = ()  # every header line: a repeated header keeps all its values


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
        return self.wait_until(request_id, lambda received: len(received) >= count, timeout)

    def wait_until(self, request_id: str, done: Callable[[list[Received]], bool], timeout: float) -> list[Received]:
        """Wait (bounded, woken by each arrival) until ``done`` holds for that id's requests."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while not done(list(self._by_id.get(request_id, ()))):
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._lock.wait(left)
            return list(self._by_id.get(request_id, ()))


@dataclass(frozen=True)
class EchoTls:
    """Serve TLS with this certificate; ask for (and verify, when sent) a client certificate."""

    cert: str
    key: str
    ca: str

    def context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        context.load_verify_locations(self.ca)
        context.verify_mode = ssl.CERT_OPTIONAL  # Istio mTLS sends one; SIMPLE origination does not
        context.set_alpn_protocols(["istio-peer-exchange", "istio", "http/1.1"])
        return context


@dataclass(frozen=True)
class _Upstream:
    """What one listening socket answers as: a cluster, its default status and delay."""

    identity: EchoIdentity
    status: int
    delay: float
    inner: ssl.SSLContext | None = None  # a client's own TLS inside the mesh's mTLS (TLS passthrough)


def _peer(writer: asyncio.StreamWriter) -> dict | None:
    """What TLS the client used: None for plaintext, else the SPIFFE URI of its certificate."""
    if writer.get_extra_info("ssl_object") is None:
        return None
    cert = writer.get_extra_info("peercert") or {}
    uris = [value for kind, value in cert.get("subjectAltName", ()) if kind == "URI"]
    return {"peer": uris[0] if uris else None}


def _number(text: str | None, default: float) -> float:
    try:
        return float(text) if text is not None else default
    except ValueError:
        return default


def _asked_headers(asked: str, taken: set[str]) -> list[tuple[str, str]]:
    """The headers ``x-echo-respond-with`` asks for (token names only, never one already answered)."""
    names = [n.strip().lower() for n in asked.split(",")][:MAX_RESPOND_WITH]
    valid = [n for n in names if n and n.isascii() and all(c.isalnum() or c in "-_.!#$%&'*+^`|~" for c in n)]
    framing = {"connection", "content-length", "transfer-encoding", "keep-alive", "upgrade"}
    return [(n, UPSTREAM_VALUE) for n in dict.fromkeys(valid) if n not in taken and n not in framing]


class _Connections:
    """The handler of every connection of a fleet, on the fleet's loop."""

    def __init__(self, log: EchoLog) -> None:
        self.log = log
        self.tasks: set[asyncio.Task] = set()

    def handler(self, upstream: _Upstream):
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.current_task()
            assert task is not None
            self.tasks.add(task)
            try:
                if upstream.inner is not None:
                    await asyncio.wait_for(self._inner(upstream, reader, writer), INNER_TIMEOUT)
                else:
                    await self._serve(upstream, reader, writer)
            except (BadRequest, ConnectionError, OSError, ssl.SSLError, asyncio.IncompleteReadError,
                    asyncio.LimitOverrunError, asyncio.TimeoutError):
                pass  # Envoy resets connections it gave up on (timeouts, shutdown): not an error here
            finally:
                self.tasks.discard(task)
                writer.close()

        return handle

    async def _serve(self, upstream: _Upstream, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        tls = _peer(writer)
        while (head := await read_head(reader)) is not None:
            if head.startswith(L4_PROBE):
                await self._greet(upstream, head, tls, writer)
                return
            request = await read_request(reader, writer, head)
            assert request is not None
            await self._answer(upstream, request, tls, writer)
            if not request.keep_alive:
                return

    async def _inner(self, upstream: _Upstream, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """A client's TLS inside the outer one (echo_tls.py): the TCP probe is answered in it."""
        assert upstream.inner is not None
        inner = InnerTls(upstream.inner, reader, writer)
        await inner.handshake()
        head = await inner.read_head(HEAD_LIMIT)
        if not head.startswith(L4_PROBE):
            return  # only TCP probes come through a passthrough chain
        request_id = head[len(L4_PROBE):].decode("ascii", "replace").strip()
        self.log.add(Received(upstream.identity.name, request_id, "L4", "", {}, time.monotonic(), inner.peer()))
        await inner.write(L4_PROBE + upstream.identity.name.encode() + b"\r\n")

    async def _greet(self, upstream: _Upstream, head: bytes, tls: dict | None, writer: asyncio.StreamWriter) -> None:
        """A TCP probe (``INB-L4 <id>``): answer ``INB-L4 <cluster>`` and end the connection."""
        request_id = head[len(L4_PROBE):].decode("ascii", "replace").strip()
        self.log.add(Received(upstream.identity.name, request_id, "L4", "", {}, time.monotonic(), tls))
        writer.write(L4_PROBE + upstream.identity.name.encode() + b"\r\n")
        await writer.drain()

    async def _answer(self, upstream: _Upstream, request: Request, tls: dict | None, writer: asyncio.StreamWriter) -> None:
        headers = request.headers
        identity = upstream.identity
        self.log.add(Received(identity.name, headers.get(REQUEST_ID_HEADER, ""), request.method, request.target,
                              headers, time.monotonic(), tls, request.lines))
        asked = headers.get(STATUS_HEADER, "")
        status = int(asked) if asked.isascii() and asked.isdigit() and len(asked) == 3 else upstream.status
        if status < 200:  # an informational status cannot end a request
            status = upstream.status
        delay = _number(headers.get(DELAY_HEADER), upstream.delay * 1000.0) / 1000.0
        if delay > 0:
            await asyncio.sleep(min(delay, MAX_DELAY_SECONDS))
        payload = json.dumps({"server": identity.to_json(), "method": request.method, "path": request.target,
                              "headers": headers, "body": request.body.decode("utf-8", "replace")}).encode()
        answer = [("content-type", "application/json"), (IDENTITY_HEADER, identity.name)]
        grpc_status = headers.get(GRPC_STATUS_HEADER, "")
        if grpc_status.isascii() and grpc_status.isdigit():
            answer.append(("grpc-status", grpc_status))
        answer += _asked_headers(headers.get(RESPOND_WITH_HEADER, ""), {name for name, _ in answer})
        if not request.keep_alive:
            answer.append(("connection", "close"))
        writer.write(response_bytes(status, answer, payload, head_only=request.method == "HEAD"))
        await writer.drain()


class EchoFleet:
    """A set of echo servers sharing one log and one event loop; a context manager that stops them all.

    Each server is a listening socket that the loop watches (``add_reader``): no asyncio.Server
    per socket, whose start and close cost a fleet of thousands whole seconds. Accepted
    connections become asyncio streams (TLS where the cluster originates it).
    """

    def __init__(self) -> None:
        self.log = EchoLog()
        self._ports: dict[str, int] = {}
        self._listeners: list[socket.socket] = []
        self._pending: list[tuple[socket.socket, Callable, ssl.SSLContext | None]] = []
        self._waking = False  # a batch of listeners is scheduled to be watched by the loop
        self._lock = threading.Lock()
        self._contexts: dict[EchoTls, ssl.SSLContext] = {}
        self._ports_from = PortAllocator()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._connections = _Connections(self.log)

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            loop = asyncio.new_event_loop()
            loop.set_exception_handler(lambda loop, context: None)  # failed TLS handshakes: Envoy's side reports them
            self._thread = threading.Thread(target=loop.run_forever, daemon=True, name="echo fleet")
            self._thread.start()
            self._loop = loop
        return self._loop

    def add(self, identity: EchoIdentity, *, status: int = 200, delay: float = 0.0, tls: EchoTls | None = None,
            inner_tls: EchoTls | None = None) -> int:
        """Start a server for ``identity`` (once per name); return its loopback port.

        ``inner_tls``: after the ``tls`` handshake, a second one inside it (a client's TLS that a
        gateway passes through, wrapped in the mesh's mTLS as a sidecar receives it).

        The socket listens before this returns (connections wait in its backlog); the loop
        watches it soon after, in batches: one wake-up of the loop's thread for many calls.
        """
        existing = self._ports.get(identity.name)
        if existing is not None:
            return existing
        sock = self._ports_from.listen()
        self._listeners.append(sock)
        handler = self._connections.handler(_Upstream(identity, status, delay, self._context(inner_tls)))
        loop = self._running_loop()
        with self._lock:
            self._pending.append((sock, handler, self._context(tls)))
            wake, self._waking = not self._waking, True
        if wake:
            loop.call_soon_threadsafe(self._watch_pending)
        self._ports[identity.name] = port = sock.getsockname()[1]
        return port

    def _context(self, tls: EchoTls | None) -> ssl.SSLContext | None:
        """One SSL context per certificate: loading one costs milliseconds, servers share it."""
        if tls is None:
            return None
        if tls not in self._contexts:
            self._contexts[tls] = tls.context()
        return self._contexts[tls]

    def _watch_pending(self) -> None:
        assert self._loop is not None
        with self._lock:
            batch, self._pending, self._waking = self._pending, [], False
        for sock, handler, context in batch:
            self._loop.add_reader(sock.fileno(), self._accept, sock, handler, context)

    def _accept(self, listener: socket.socket, handler: Callable, context: ssl.SSLContext | None) -> None:
        loop = self._loop
        assert loop is not None
        for _ in range(64):  # then back to the loop: other sockets get their turn
            try:
                conn, _ = listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return  # EMFILE and the like: the client's connection waits or fails; Envoy reports it
            conn.setblocking(False)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # headers and body in two writes
            reader = asyncio.StreamReader(limit=HEAD_LIMIT, loop=loop)
            protocol = asyncio.StreamReaderProtocol(reader, handler, loop=loop)
            opening = loop.create_task(loop.connect_accepted_socket(
                lambda protocol=protocol: protocol, sock=conn, ssl=context, ssl_handshake_timeout=10 if context else None))
            opening.add_done_callback(_quiet)

    def port_of(self, name: str) -> int:
        return self._ports[name]

    def names(self) -> list[str]:
        return list(self._ports)

    async def _stop(self) -> None:
        tasks = list(self._connections.tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def close(self) -> None:
        """End every connection, the loop's thread, then every socket: milliseconds, whatever the size."""
        loop, thread = self._loop, self._thread
        self._loop = self._thread = None
        if loop is not None and thread is not None:
            try:
                asyncio.run_coroutine_threadsafe(self._stop(), loop).result(timeout=5)
            except Exception:  # noqa: BLE001 - a stuck stop must not keep the command alive
                pass
            finally:
                loop.call_soon_threadsafe(loop.stop)
                thread.join(timeout=5)
        for sock in self._listeners:  # the loop has stopped: nothing watches them any more
            sock.close()
        self._listeners.clear()
        self._pending.clear()
        self._ports.clear()
        self._contexts.clear()
        if loop is not None and thread is not None and not thread.is_alive():
            loop.close()

    def __enter__(self) -> EchoFleet:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _quiet(task: asyncio.Task) -> None:
    """A failed TLS handshake or a reset before it: retrieved, so asyncio does not log it."""
    if not task.cancelled():
        task.exception()
