"""HTTP/1.1 on one echo connection: read requests, answer each, keep the connection alive.

A small server of its own rather than http.server: the echo fleet serves every cluster of a
mesh (thousands) from one asyncio event loop (envoy/echo.py), and http.server needs a thread and
a polling accept loop per listening socket. Only what Envoy sends upstream is understood:
a request line, headers, and a body framed by ``content-length`` or ``transfer-encoding:
chunked`` (RFC 9112 sections 6 and 7.1). Anything else ends the connection; Envoy reports that
as an upstream failure, which is what a broken upstream is.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from http import HTTPStatus

HEAD_LIMIT = 256 * 1024  # request line + headers; Envoy forwards at most 60 KiB by default
BODY_LIMIT = 16 * 1024 * 1024  # the echo repeats bodies: bounded memory per request


class BadRequest(Exception):
    """The bytes are not an HTTP/1.1 request this server can frame: the connection ends."""


@dataclass
class Request:
    method: str
    target: str  # as sent: path and query
    version: str
    headers: dict[str, str]  # lower-case names; a repeated header keeps its last value
    body: bytes
    lines: tuple[tuple[str, str], ...] = ()  # every header line in order: a repeated header keeps all its values

    @property
    def keep_alive(self) -> bool:
        connection = self.headers.get("connection", "").lower()
        if self.version == "HTTP/1.0":
            return "keep-alive" in connection
        return "close" not in connection


def _text(raw: bytes) -> str:
    """Header text: UTF-8 as our client sends it (envoy/client.py), else ISO-8859-1 as RFC 9110 allows."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def parse_head(head: bytes) -> tuple[str, str, str, list[tuple[str, str]]]:
    """(method, target, version, header lines in order with lower-case names)."""
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ")
    if len(parts) != 3 or not parts[2].startswith(b"HTTP/1."):
        raise BadRequest("bad request line")
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if not line:
            continue
        name, colon, value = line.partition(b":")
        if not colon or not name or name != name.strip():
            raise BadRequest("bad header line")
        headers.append((_text(name).lower(), _text(value.strip(b" \t"))))
    return _text(parts[0]), _text(parts[1]), parts[2].decode("ascii", "replace"), headers


async def _chunked(reader: asyncio.StreamReader) -> bytes:
    body = bytearray()
    while True:
        size_line = await reader.readuntil(b"\r\n")
        try:
            size = int(size_line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise BadRequest("bad chunk size") from None
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":  # trailer fields, then the blank line
                pass
            return bytes(body)
        if len(body) + size > BODY_LIMIT:
            raise BadRequest("body over the limit")
        body += await reader.readexactly(size)
        if await reader.readexactly(2) != b"\r\n":
            raise BadRequest("chunk without CRLF")


async def _body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return await _chunked(reader)
    length_text = headers.get("content-length", "0") or "0"
    if not length_text.isascii() or not length_text.isdigit():
        raise BadRequest("bad content-length")
    length = int(length_text[:12])
    if length > BODY_LIMIT:
        raise BadRequest("body over the limit")
    return await reader.readexactly(length) if length else b""


async def read_head(reader: asyncio.StreamReader) -> bytes | None:
    """The next head on the connection, up to its blank line (excluded); None when the peer closed it."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as closed:
        if closed.partial.strip():
            raise BadRequest("connection closed inside a request head") from None
        return None
    except asyncio.LimitOverrunError:
        raise BadRequest("request head over the limit") from None
    return head[:-4].lstrip(b"\r\n")


async def read_request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, head: bytes | None = None) -> Request | None:
    """The next request on the connection (``head``: already read by read_head); None when the peer closed it."""
    if head is None:
        head = await read_head(reader)
    if head is None:
        return None
    method, target, version, lines = parse_head(head)
    headers = dict(lines)
    if headers.get("expect", "").lower() == "100-continue":
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    return Request(method, target, version, headers, await _body(reader, headers), tuple(lines))


def response_bytes(status: int, headers: list[tuple[str, str]], body: bytes, *, head_only: bool) -> bytes:
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = ""
    lines = [f"HTTP/1.1 {status} {reason}", *(f"{name}: {value}" for name, value in headers),
             f"content-length: {len(body)}"]
    encoded = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")
    return encoded if head_only else encoded + body
