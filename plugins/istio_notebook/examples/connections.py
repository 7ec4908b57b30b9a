"""TCP and TLS check lines: ``nc HOST PORT`` and ``openssl s_client -connect HOST:PORT [-servername S]``.

A check's first line may open a connection instead of sending an HTTP request (docs/contributing/
syntax.md). Each becomes the check's Request with a ``tcp://`` or ``tls://`` URL (the route
command's connection forms, docs/reference/cli.md) and, for TLS, the SNI: ``-servername``, else
the host given to -connect when it is a DNS name, as s_client sends it (OpenSSL 1.1.1+, unless
``-noservername``; to an IP address s_client sends no SNI, so such a line needs -servername).
"""

from __future__ import annotations

import ipaddress
import shlex

from istio_notebook.analysis.validation.hosts import is_ip
from istio_notebook.examples.model import Request

TOOLS = ("curl", "nc", "openssl")
# nc options that do not change where the connection goes (netcat-openbsd).
_NC_FLAGS = {"-v", "-vv", "-z", "-N", "-n", "-4", "-6", "-t"}
_NC_VALUED = {"-w", "-q", "-i"}
# s_client options that do not change the connection's address or SNI.
_OPENSSL_FLAGS = {"-quiet", "-brief", "-crlf", "-ign_eof", "-no_ign_eof", "-showcerts", "-state", "-tls1_2", "-tls1_3"}
_OPENSSL_VALUED = {"-alpn", "-CAfile", "-verify", "-cert", "-key"}


def tool_of(line: str) -> str | None:
    """The tool a check's request line starts with (curl, nc, openssl), else None."""
    word = line.split(" ", 1)[0]
    return word if word in TOOLS else None


def _words(line: str) -> list[str]:
    try:
        return shlex.split(line)
    except ValueError as error:
        raise ValueError(f"cannot split the line: {error}") from None


def _host(text: str) -> str:
    """A host for the URL: an IPv6 literal in brackets."""
    try:
        return f"[{text}]" if ipaddress.ip_address(text).version == 6 else text
    except ValueError:
        return text


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError(f"port {text!r} is not a number from 1 to 65535")
    return int(text)


def parse_nc(line: str) -> Request:
    """``nc [-v] [-z] [-w N] HOST PORT`` → a tcp:// request; ValueError says why not."""
    words = _words(line)
    operands: list[str] = []
    i = 1
    while i < len(words):
        word = words[i]
        if word in _NC_VALUED:
            if i + 1 >= len(words):
                raise ValueError(f"{word} needs a value")
            i += 2
            continue
        if word in _NC_FLAGS:
            i += 1
            continue
        if word.startswith("-"):
            raise ValueError(f"unsupported nc option {word} (nc [-v] [-z] [-w N] HOST PORT)")
        operands.append(word)
        i += 1
    if len(operands) != 2:
        raise ValueError("nc needs a host and a port: nc HOST PORT")
    host, port = operands
    return Request(method="GET", url=f"tcp://{_host(host)}:{_port(port)}", headers=[], tool="nc")


def _connect_target(value: str) -> tuple[str, int]:
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    else:
        host, _, port = value.rpartition(":")
    if not host or not port:
        raise ValueError(f"-connect {value!r} is not HOST:PORT")
    return host, _port(port)


def parse_openssl(line: str) -> Request:
    """``openssl s_client -connect HOST:PORT [-servername NAME] [-alpn P1,P2]`` → a tls:// request
    with its SNI and the ALPN it offers (none without -alpn: AUTO_PASSTHROUGH chains then refuse it)."""
    words = _words(line)
    if len(words) < 2 or words[1] != "s_client":
        raise ValueError("a TLS check is openssl s_client -connect HOST:PORT [-servername NAME]")
    target, sni, alpn = None, None, ""  # s_client offers no ALPN without -alpn
    i = 2
    while i < len(words):
        word = words[i]
        if word in ("-connect", "-servername", *_OPENSSL_VALUED):
            if i + 1 >= len(words):
                raise ValueError(f"{word} needs a value")
            if word == "-connect":
                target = _connect_target(words[i + 1])
            elif word == "-servername":
                sni = words[i + 1]
            elif word == "-alpn":
                alpn = words[i + 1]
            i += 2
            continue
        if word not in _OPENSSL_FLAGS:
            raise ValueError(f"unsupported s_client option {word}")
        i += 1
    if target is None:
        raise ValueError("openssl s_client needs -connect HOST:PORT")
    host, port = target
    if sni is None and is_ip(host):
        # s_client fills SNI from -connect only for a DNS name (apps/s_client.c, is_dNS_name):
        # to an IP address it sends none, which a tls:// connection cannot say.
        raise ValueError(f"s_client sends no SNI to the IP address {host}: add -servername NAME")
    return Request(method="GET", url=f"tls://{_host(host)}:{port}", headers=[], sni=sni, tool="openssl", alpn=alpn)
