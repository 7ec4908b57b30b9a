"""Send one HTTP request to a local Envoy listener, as a given client, and time it.

The request keeps its own Host header (Envoy routes on it, not on the listener's real port).
Optional PROXY protocol v1 line first: it tells Envoy the original source address and
destination port (Envoy's proxy_protocol listener filter restores both), so RBAC ``ipBlocks``
and ``ports`` see the client's and the service's addresses, not loopback ones. Optional TLS with
a client certificate: Istio mutual TLS, the certificate carrying the source's SPIFFE identity.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from dataclasses import dataclass

from istio_notebook.envoy.certs import CertFiles
from istio_notebook.routing.wire import wire_bytes

REQUEST_TIMEOUT = 30.0


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # lower-case names; repeated headers joined with ", "
    body: bytes
    elapsed: float  # seconds from sending to the end of the body
    lines: tuple[tuple[str, str], ...] = ()  # every header line in order (lower-case names): repeated ones apart


@dataclass(frozen=True)
class ProxyLine:
    source_ip: str
    destination_port: int
    destination_ip: str = "10.0.0.1"

    def encode(self) -> bytes:
        family = "TCP6" if ":" in self.source_ip else "TCP4"
        destination = self.destination_ip if family == "TCP4" else "::1"
        return f"PROXY {family} {self.source_ip} {destination} 40000 {self.destination_port}\r\n".encode()


class _Connection(http.client.HTTPConnection):
    """http.client with its own checks of the request off: the bytes go to Envoy as a client such
    as curl sends them (text as UTF-8), and Envoy's codec answers what HTTP/1.1 cannot carry.

    What Envoy answers them (400, 431), and the simulator with it: routing/wire.py. http.client
    raised UnicodeEncodeError or ValueError instead (an internal error of the CLI). Only CR and LF
    are never sent (they would end the header line): routing.Request.parse refuses them first.
    """

    def __init__(self, port: int, proxy: ProxyLine | None, tls: CertFiles | None, timeout: float, sni: str | None):
        super().__init__("127.0.0.1", port, timeout=timeout)
        self._proxy, self._tls, self._sni = proxy, tls, sni

    def _encode_request(self, request: str) -> bytes:
        return wire_bytes(request)

    def _validate_method(self, method: str) -> None:
        return None

    def _validate_path(self, url: str) -> None:
        return None

    def _validate_host(self, url: str) -> None:
        return None

    def putheader(self, header: str | bytes, *values: str | bytes) -> None:
        name = wire_bytes(header) if isinstance(header, str) else header
        encoded = [wire_bytes(v) if isinstance(v, str) else v for v in values]
        if any(b"\r" in part or b"\n" in part for part in (name, *encoded)):
            raise ValueError(f"CR or LF in header {header!r}")
        self._output(name + b": " + b"\r\n\t".join(encoded))

    def connect(self) -> None:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self._proxy is not None:
            sock.sendall(self._proxy.encode())
        if self._tls is not None or self._sni is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE  # certificates made for the run; identity is what is tested
            context.set_alpn_protocols(["http/1.1"])
            if self._tls is not None:
                context.load_cert_chain(str(self._tls.cert), str(self._tls.key))
            sock = context.wrap_socket(sock, server_hostname=self._sni)
        self.sock = sock


def send(
    port: int,
    method: str,
    path: str,
    headers: list[tuple[str, str]],
    *,
    body: bytes | None = None,
    proxy: ProxyLine | None = None,
    tls: CertFiles | None = None,
    sni: str | None = None,
    timeout: float = REQUEST_TIMEOUT,
) -> Response:
    """``tls``: a client certificate (mTLS); ``sni``: TLS to a server by name (gateway HTTPS)."""
    connection = _Connection(port, proxy, tls, timeout, sni)
    try:
        started = time.monotonic()
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in headers:
            connection.putheader(name, value)
        if body is not None:
            connection.putheader("content-length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        data = response.read()
        elapsed = time.monotonic() - started
        lines = tuple((name.lower(), value) for name, value in response.getheaders())
        merged: dict[str, str] = {}
        for key, value in lines:
            merged[key] = f"{merged[key]}, {value}" if key in merged else value
        return Response(response.status, merged, data, elapsed, lines)
    finally:
        connection.close()


def send_many(port: int, method: str, path: str, headers: list[tuple[str, str]], count: int,
              *, sni: str | None = None, timeout: float = REQUEST_TIMEOUT) -> list[Response]:
    """The same request ``count`` times over one keep-alive connection (weighted-route sampling)."""
    connection = _Connection(port, None, None, timeout, sni)
    responses = []
    try:
        for _ in range(count):
            started = time.monotonic()
            connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            for name, value in headers:
                connection.putheader(name, value)
            connection.endheaders()
            response = connection.getresponse()
            data = response.read()
            merged = {name.lower(): value for name, value in response.getheaders()}
            responses.append(Response(response.status, merged, data, time.monotonic() - started))
            if response.will_close:
                connection.close()
    finally:
        connection.close()
    return responses
