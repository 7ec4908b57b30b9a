"""An HTTP request as the simulator sees it: method, scheme, authority, path, query, headers."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit


class RequestError(ValueError):
    """A request (or proxy spec) that cannot be parsed; the message is one line."""


_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Request:
    method: str
    scheme: str
    host: str  # lower-case host name, without port
    port: int
    path: str  # without query string and fragment
    query: str  # raw query string, without '?'
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names; includes none of the pseudo headers

    @property
    def authority(self) -> str:
        """The Host header as sent (explicit Host header wins; else from the URL)."""
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

    @classmethod
    def parse(cls, request_line: str, headers: list[str] | tuple[str, ...] = ()) -> "Request":
        """`"GET http://reviews:9080/reviews/1"` (or just a URL: GET) plus `"Name: value"` strings."""
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
        try:
            split = urlsplit(url)
            port = split.port
        except ValueError as error:
            raise RequestError(f"bad URL {url!r}: {error}") from None
        scheme = split.scheme.lower()
        if scheme not in _DEFAULT_PORTS:
            raise RequestError(f"URL scheme must be http or https, got {split.scheme!r}")
        if not split.hostname:
            raise RequestError(f"URL has no host: {url!r}")
        parsed: dict[str, str] = {}
        for raw in headers or ():
            name, colon, value = str(raw).partition(":")
            name = name.strip().lower()
            if not colon or not name or any(c.isspace() for c in name):
                raise RequestError(f"header wants 'Name: value', got {raw!r}")
            parsed[name] = value.strip()
        return cls(
            method=method,
            scheme=scheme,
            host=split.hostname.lower(),
            port=port or _DEFAULT_PORTS[scheme],
            path=split.path or "/",
            query=split.query,
            headers=parsed,
        )
