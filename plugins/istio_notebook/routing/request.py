"""An HTTP request as the simulator sees it: method, scheme, authority, path, query, headers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlsplit

from istio_notebook.routing.wire import unsent_body


class RequestError(ValueError):
    """A request (or proxy spec) that cannot be parsed; the message is one line."""


_DEFAULT_PORTS = {"http": 80, "https": 443}
_SPACE = re.compile(r"\s")  # what str.isspace calls white space (both use Unicode's)
CONNECTION_SCHEMES = ("tcp", "tls")
# What an Istio sidecar offers to an in-mesh cluster over mTLS (pilot/pkg/networking/util/util.go
# ALPNInMeshWithMxc at 1.30.3).
ISTIO_CLIENT_ALPNS = ("istio-peer-exchange", "istio")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_HEX = frozenset("0123456789abcdefABCDEF")
# Printable characters Envoy's path normalisation percent-encodes (observed on Envoy 1.40 from the
# wheel: every printable ASCII character sent through a sidecar, the path the upstream received).
_ESCAPED = frozenset('"<>^`{|}')
_CHANGED = _ESCAPED | {"%", "\\"}  # a path without these (and without a dot segment) is already normal


def normalize_path(path: str) -> str:
    """The path as Envoy routes it with Istio's `normalize_path: true` (RFC 3986 normalisation,
    checked on real Envoy 1.40): backslashes become slashes, escaped unreserved characters are
    decoded (`%7E` → `~`, `%2e` → `.`), other escapes kept in upper case (`%2F` stays: Istio
    keeps escaped slashes), `"<>^`{|}` percent-encoded (`^` → `%5E`), dot segments removed;
    repeated slashes are kept (merge_slashes is off)."""
    if path.startswith("/") and "/." not in path and _CHANGED.isdisjoint(path):
        return path  # nothing to decode or encode and no dot segment (most requests)
    return _normalized(path)


def _normalized(path: str) -> str:
    """normalize_path without its shortcut: every character looked at."""
    out: list[str] = []
    i = 0
    path = path.replace("\\", "/")
    while i < len(path):
        if path[i] == "%" and i + 2 < len(path) and path[i + 1] in _HEX and path[i + 2] in _HEX:
            char = chr(int(path[i + 1 : i + 3], 16))
            out.append(char if char in _UNRESERVED else "%" + path[i + 1 : i + 3].upper())
            i += 3
        else:
            out.append(f"%{ord(path[i]):02X}" if path[i] in _ESCAPED else path[i])
            i += 1
    return _remove_dot_segments("".join(out)) or "/"


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4 on an absolute path."""
    segments = path.split("/")
    result: list[str] = []
    for index, segment in enumerate(segments[1:], 1):
        last = index == len(segments) - 1
        if segment == ".":
            if last:
                result.append("")
        elif segment == "..":
            if result:
                result.pop()
            if last:
                result.append("")
        else:
            result.append(segment)
    return "/" + "/".join(result)


@dataclass(frozen=True)
class Request:
    method: str
    scheme: str
    host: str  # lower-case host name, without port
    port: int
    path: str  # without query string and fragment, normalised as Envoy does (normalize_path)
    query: str  # raw query string, without '?'
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names, first value of each; no pseudo headers
    # Every header line as sent, in order (lower-case names): a repeated header keeps all its values.
    lines: tuple[tuple[str, str], ...] = ()
    sni: str | None = None  # tls:// connections: the TLS server name the client sends (default: the host)
    # tls:// connections: the ALPN protocols the client offers, in order; None: as an Istio mTLS
    # client does for Istio's SNI form ``outbound_.…`` (its ALPNs), else none (offered_alpn).
    alpn: tuple[str, ...] | None = None

    @property
    def offered_alpn(self) -> tuple[str, ...]:
        """What the client's TLS ClientHello offers (Envoy's filter chains match application_protocols on it)."""
        if self.alpn is not None:
            return self.alpn
        return ISTIO_CLIENT_ALPNS if self.sni and self.sni.startswith("outbound_.") else ()

    @cached_property
    def authority(self) -> str:
        """The Host header as sent (explicit Host header wins; else from the URL). Read several
        times per route(): kept in the instance __dict__ (a frozen dataclass allows that)."""
        return self.headers.get("host") or self._url_authority

    @property
    def _url_authority(self) -> str:
        if self.port == _DEFAULT_PORTS.get(self.scheme):
            return self.host
        return f"{self.host}:{self.port}"

    @property
    def path_with_query(self) -> str:
        return self.path + (f"?{self.query}" if self.query else "")

    def header(self, name: str) -> str | None:
        """Header value, including the pseudo headers :method, :authority, :scheme, :path."""
        name = name.lower()
        if name == ":method":
            return self.method
        if name in (":authority", "host"):
            return self.authority
        if name == ":scheme":
            return self.scheme
        if name == ":path":
            return self.path_with_query
        return self.headers.get(name)

    def header_values(self, name: str) -> tuple[str, ...]:
        """Every value of a header, in the order sent (pseudo headers have one).

        Envoy 1.40's route header matcher tests each value of a repeated header on its own and
        matches when any does; the values are not joined with "," first (envoyproxy/envoy#44819,
        HeaderUtility::matchHeadersIndividually; replayed on real Envoy:
        `exact: one` matches `x-a: two` + `x-a: one`, `exact: "one,two"` matches neither order;
        tests/routing/test_istio_fidelity.py)."""
        lowered = name.lower()
        if lowered.startswith(":") or lowered == "host" or not self.lines:
            value = self.header(lowered)
            return () if value is None else (value,)
        return tuple(v for n, v in self.lines if n == lowered)

    def sent_lines(self) -> list[tuple[str, str]]:
        """The header lines to put on the wire, Host left out (senders put the authority first)."""
        if self.lines:
            return [(n, v) for n, v in self.lines if n != "host"]
        return [(n, v) for n, v in self.headers.items() if n != "host"]

    def query_params(self) -> dict[str, str]:
        """First value of each query parameter; `?key` gives "". Values stay percent-encoded, as
        Envoy's query_parameters matcher compares them (checked on real Envoy: `exact: "a b"`
        matches neither `?k=a%20b` nor `?k=a+b`)."""
        params: dict[str, str] = {}
        for item in self.query.split("&") if self.query else ():
            if not item:
                continue
            key, _, value = item.partition("=")
            params.setdefault(key, value)
        return params

    @property
    def is_connection(self) -> bool:
        """A TCP or TLS connection (`tcp://`, `tls://`), routed by routing.l4, not by HTTP routes."""
        return self.scheme in CONNECTION_SCHEMES

    @classmethod
    def parse(cls, request_line: str, headers: list[str] | tuple[str, ...] = (), sni: str | None = None,
              alpn: str | None = None) -> "Request":
        """`"GET http://reviews:9080/reviews/1"` (or just a URL: GET) plus `"Name: value"` strings;
        `"tcp://tcp-echo:9000"` or `"tls://my-nginx:443"` (with `sni`, default the host, and
        `alpn`, comma-separated as openssl's -alpn, "" for none) for a connection."""
        given = "".join([request_line or "", *map(str, headers or ())])
        if "\r" in given or "\n" in given:
            raise RequestError("a request line or header cannot contain CR or LF (it would end the line)")
        parts = (request_line or "").split()
        if len(parts) == 1:
            method, url = "GET", parts[0]
        elif len(parts) == 2:
            method, url = parts[0].upper(), parts[1]
        else:
            raise RequestError(f"request wants 'METHOD URL', got {request_line!r}")
        if not method.isalpha():
            raise RequestError(f"bad HTTP method {method!r}")
        if "://" not in url:
            url = "http://" + url
        scheme, hostname, port, url_path, query = _split_url(url)
        if port == 0:
            raise RequestError(f"bad URL {url!r}: port 0")
        if scheme not in _DEFAULT_PORTS and scheme not in CONNECTION_SCHEMES:
            raise RequestError(f"URL scheme must be http, https, tcp or tls, got {scheme!r}")
        if not hostname:
            raise RequestError(f"URL has no host: {url!r}")
        if scheme in CONNECTION_SCHEMES and port is None:
            raise RequestError(f"a {scheme}:// connection needs a port, got {url!r}")
        server_name, offered = _server_name(sni, scheme, hostname), _alpn(alpn, scheme)
        parsed: dict[str, str] = {}
        lines: list[tuple[str, str]] = []
        for raw in headers or ():
            name, colon, value = str(raw).partition(":")
            name = name.strip().lower()
            if not colon or not name or _SPACE.search(name):
                raise RequestError(f"header wants 'Name: value', got {raw!r}")
            parsed.setdefault(name, value.strip())
            lines.append((name, value.strip()))
        unsendable = unsent_body(lines) if "content-length" in parsed or "transfer-encoding" in parsed else None
        if unsendable:
            raise RequestError(unsendable)
        return cls(
            method=method,
            scheme=scheme,
            host=hostname.lower(),
            port=port or _DEFAULT_PORTS[scheme],
            sni=server_name,
            alpn=offered,
            path=normalize_path(url_path or "/"),
            query=query,
            headers=parsed,
            lines=tuple(lines),
        )


# scheme://host[:port][/path][?query] with a DNS-name host: most request URLs. Read by this one
# pattern with the results urlsplit gives (tests/routing/test_request_and_table.py compares them
# on generated URLs); a port past 65535, IPv6, user info, a fragment, a tab or line break (urlsplit
# drops them) or any other form: urlsplit.
_PLAIN_URL = re.compile(r"([A-Za-z]+)://([A-Za-z0-9.-]+)(?::([0-9]{1,5}))?(/[^?#\t\r\n]*)?(?:\?([^#\t\r\n]*))?")


def _split_url(url: str) -> tuple[str, str | None, int | None, str, str]:
    """(lower-case scheme, lower-case host name, port, path, query) of ``url``, as urlsplit reads them."""
    plain = _PLAIN_URL.fullmatch(url)
    if plain is not None and (plain[3] is None or int(plain[3]) <= 65535):
        return plain[1].lower(), plain[2].lower(), int(plain[3]) if plain[3] else None, plain[4] or "", plain[5] or ""
    try:
        split = urlsplit(url)
        return split.scheme, split.hostname, split.port, split.path, split.query
    except ValueError as error:
        raise RequestError(f"bad URL {url!r}: {error}") from None


def _server_name(sni: str | None, scheme: str, host: str) -> str | None:
    """``--sni`` of a tls:// connection (default: the host); None for the other schemes."""
    if sni is not None and scheme != "tls":
        raise RequestError(f"--sni is for tls:// connections, got a {scheme}:// request")
    if sni is not None and (not sni.strip() or any(c.isspace() for c in sni.strip())):
        raise RequestError(f"bad --sni {sni!r}")
    return (sni.strip().lower() if sni else host.lower()) if scheme == "tls" else None


def _alpn(text: str | None, scheme: str) -> tuple[str, ...] | None:
    """``--alpn h2,http/1.1`` (openssl s_client -alpn): the protocols, in order; "" offers none."""
    if text is None:
        return None
    if scheme != "tls":
        raise RequestError(f"--alpn is for tls:// connections, got a {scheme}:// request")
    protocols = tuple(p.strip() for p in text.split(",")) if text.strip() else ()
    if any(not p or len(p) > 255 or not p.isascii() or any(c.isspace() for c in p) for p in protocols):
        raise RequestError(f"bad --alpn {text!r}: comma-separated protocol names (RFC 7301), e.g. istio or h2,http/1.1")
    return protocols
