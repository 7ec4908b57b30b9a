"""Go's ``net/url`` parsing, as far as Istio's validation depends on it (which scheme, or which error).

istiod validates a WasmPlugin / TrafficExtension ``url`` with ``strictParseURL``
(pkg/config/validation/validation.go): ``url.ParseRequestURI``, then the same with ``http://``
prepended when that fails, and ``url.Parse`` on the result. The rules here follow Go's
net/url/url.go (``parse``, ``getScheme``, ``parseAuthority``, ``parseHost``, ``unescape``); only the
parts that decide "accepted, with which scheme" or "refused, with which message" are kept.
"""

from __future__ import annotations

import string

from istio_notebook.config.goformat import go_quote


class GoURLError(ValueError):
    """url.Error's text: ``parse "<url>": <reason>``."""


_SCHEME_LATER = set(string.digits + "+-.")
_HEX = set(string.hexdigits)
# Characters a host may carry unescaped (url.go shouldEscape with encodeHost).
_HOST_OK = set(string.ascii_letters + string.digits + "-_.~!$&'()*+,;=:[]<>\"")


def _has_ctl(text: str) -> bool:
    return any(ord(c) < 0x20 or ord(c) == 0x7F for c in text)


def _scheme(raw: str) -> tuple[str, str]:
    for index, char in enumerate(raw):
        if char in string.ascii_letters:
            continue
        if char in _SCHEME_LATER:
            if index == 0:
                return "", raw
            continue
        if char == ":":
            if index == 0:
                raise ValueError("missing protocol scheme")
            return raw[:index].lower(), raw[index + 1 :]
        return "", raw  # a character no scheme has: no scheme at all
    return "", raw


def _check_escapes(text: str, host: bool) -> None:
    index = 0
    while index < len(text):
        char = text[index]
        if char == "%":
            code = text[index + 1 : index + 3]
            if len(code) < 2 or not set(code) <= _HEX:
                raise ValueError(f"invalid URL escape {go_quote(text[index:index + 3])}")
            index += 3
            continue
        if host and ord(char) < 0x80 and char not in _HOST_OK:
            raise ValueError(f"invalid character {go_quote(char)} in host name")
        index += 1


def _check_host(host: str) -> None:
    if host.startswith("["):
        end = host.rfind("]")
        if end < 0:
            raise ValueError("missing ']' in host")
        port = host[end + 1 :]
        if port and not (port.startswith(":") and port[1:].isdigit() or port == ":"):
            raise ValueError(f"invalid port {go_quote(port)} after host")
        return
    colon = host.rfind(":")
    if colon >= 0:
        port = host[colon:]
        if not all(c in string.digits for c in port[1:]):
            raise ValueError(f"invalid port {go_quote(port)} after host")
    _check_escapes(host, host=True)


def _parse(raw: str, via_request: bool) -> str:
    """The scheme of ``raw``; ValueError with Go's reason when Go refuses it."""
    if _has_ctl(raw):
        raise ValueError("net/url: invalid control character in URL")
    if raw == "" and via_request:
        raise ValueError("empty url")
    if raw == "*":
        return ""
    scheme, rest = _scheme(raw)
    if rest.endswith("?") and rest.count("?") == 1:
        rest = rest[:-1]
    else:
        rest = rest.split("?", 1)[0]
    if not rest.startswith("/"):
        if scheme:
            return scheme  # opaque: "host:5000/x" parses with scheme "host"
        if via_request:
            raise ValueError("invalid URI for request")
    if (scheme or not via_request and not rest.startswith("///")) and rest.startswith("//"):
        authority, slash, path = rest[2:].partition("/")
        rest = slash + path
        _check_host(authority.rpartition("@")[2])
    _check_escapes(rest, host=False)
    return scheme


def parse_request_uri(raw: str) -> str:
    try:
        return _parse(raw, via_request=True)
    except ValueError as why:
        raise GoURLError(f"parse {go_quote(raw)}: {why}") from None


def parse(raw: str) -> str:
    """url.Parse: a ``#fragment`` is split off (and must unescape) before the rest is parsed."""
    body, hash_sign, fragment = raw.partition("#")
    try:
        if hash_sign:
            _check_escapes(fragment, host=False)
        return _parse(body, via_request=False)
    except ValueError as why:
        raise GoURLError(f"parse {go_quote(raw)}: {why}") from None


def strict_parse_url_scheme(original: str) -> str:
    """istiod's strictParseURL: the scheme it ends up with, or the error it returns (GoURLError)."""
    try:
        scheme = parse_request_uri(original)
        candidate = original
    except GoURLError as first:
        candidate = "http://" + original
        try:
            scheme = parse_request_uri(candidate)
        except GoURLError:
            raise GoURLError(f"failed to parse url: {first}") from None
    try:
        parse(candidate)
    except GoURLError as why:
        raise GoURLError(f"failed to strict parse url: {why}") from None
    return scheme
