"""TCP and TLS check lines (`nc HOST PORT`, `openssl s_client -connect H:P [-servername S]`) →
the route command's tcp:// and tls:// connections (docs/contributing/syntax.md).

The SNI rule follows OpenSSL's s_client manual (openssl-s_client(1), -servername: "If -servername
is not provided, the TLS SNI extension will be populated with the name given to -connect if it
follows a DNS name format"; apps/s_client.c checks is_dNS_name(host), so an IP address gets no SNI).
"""

import pytest

from istio_notebook.config import Origin
from istio_notebook.examples.backends import request_of
from istio_notebook.examples.checks import parse_checks
from istio_notebook.examples.connections import parse_nc, parse_openssl

ORIGIN = Origin("docs/p.md", line_offset=9)


def test_nc_is_a_tcp_connection():
    r = parse_nc("nc -v -w 3 tcp-echo 9000")
    assert (r.url, r.sni, r.tool, r.request_line) == ("tcp://tcp-echo:9000", None, "nc", "tcp://tcp-echo:9000")
    assert str(r) == "nc tcp-echo 9000"
    assert parse_nc("nc fd00::5 5432").url == "tcp://[fd00::5]:5432"


def test_openssl_s_client_is_a_tls_connection_with_its_sni():
    r = parse_openssl("openssl s_client -connect 203.0.113.10:443 -servername nginx.example.com -quiet")
    assert (r.url, r.sni, r.tool) == ("tls://203.0.113.10:443", "nginx.example.com", "openssl")
    assert str(r) == "openssl s_client -connect 203.0.113.10:443 -servername nginx.example.com"
    assert parse_openssl("openssl s_client -connect [fd00::5]:443 -servername a.example").url == "tls://[fd00::5]:443"


def test_alpn_is_what_the_line_offers_and_nothing_without_it():
    # openssl-s_client(1) -alpn: "a comma-separated list of protocol names that the client should
    # advertise"; without it the ClientHello has no ALPN extension.
    line = "openssl s_client -connect 203.0.113.20:15443 -servername outbound_.9080_._.reviews.default.svc.cluster.local"
    assert request_of(parse_checks(f"{line} -alpn istio\n→ reviews\n", ORIGIN)[0]).offered_alpn == ("istio",)
    assert request_of(parse_checks(f"{line}\n→ no-route\n", ORIGIN)[0]).offered_alpn == ()
    assert str(parse_openssl(f"{line} -alpn h2,istio")).endswith(" -alpn h2,istio")


def test_without_servername_the_sni_is_the_connect_host():
    check = parse_checks("openssl s_client -connect api.example.com:443\n→ passthrough\n", ORIGIN)[0]
    assert not check.diagnostics
    request = request_of(check)
    assert (request.scheme, request.host, request.port, request.sni) == ("tls", "api.example.com", 443, "api.example.com")


@pytest.mark.parametrize(("line", "reason"), [
    ("nc tcp-echo", "needs a host and a port"),
    ("nc tcp-echo 9000 9001", "needs a host and a port"),
    ("nc -e /bin/sh tcp-echo 9000", "unsupported nc option -e"),
    ("nc tcp-echo 99999", "from 1 to 65535"),
    ("nc -w", "-w needs a value"),
    ("openssl s_client", "needs -connect"),
    ("openssl x509 -in a.pem", "openssl s_client -connect"),
    ("openssl s_client -connect nginx.example.com", "is not HOST:PORT"),
    ("openssl s_client -connect a:443 -starttls smtp", "unsupported s_client option -starttls"),
    ("openssl s_client -connect 203.0.113.10:443", "no SNI to the IP address 203.0.113.10"),
    ("openssl s_client -connect [fd00::5]:443 -quiet", "no SNI to the IP address fd00::5"),
])
def test_bad_connection_lines_say_why(line, reason):
    parse = parse_nc if line.startswith("nc") else parse_openssl
    with pytest.raises(ValueError, match=reason):
        parse(line)


def test_a_bad_connection_line_is_a_diagnostic_on_its_line():
    check = parse_checks("# t\nnc tcp-echo\n→ tcp-echo v1\n", ORIGIN)[0]
    assert [(d.code, d.line) for d in check.diagnostics] == [("INB3010", 11)]


def test_a_connection_check_runs_on_the_routing_request_forms():
    check = parse_checks("nc tcp-echo 9000\n→ tcp-echo\n\nopenssl s_client -connect a.example.com:443 -servername b.example.com\n→ passthrough\n", ORIGIN)
    tcp, tls = (request_of(c) for c in check)
    assert (tcp.scheme, tcp.host, tcp.port) == ("tcp", "tcp-echo", 9000)
    assert (tls.scheme, tls.host, tls.sni) == ("tls", "a.example.com", "b.example.com")
