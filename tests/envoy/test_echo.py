"""Echo upstreams: name themselves, echo the request, delay or fail on demand, count by request id."""

from __future__ import annotations

import http.client
import json
import time

from istio_notebook.envoy.echo import EchoFleet, EchoIdentity


def _get(port: int, path: str, headers: dict[str, str]) -> tuple[int, dict, float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    started = time.monotonic()
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = json.loads(response.read())
    connection.close()
    return response.status, body, time.monotonic() - started


def test_echo_names_itself_and_echoes_method_path_headers():
    with EchoFleet() as fleet:
        port = fleet.add(EchoIdentity("outbound|9080|v2|reviews.default.svc.cluster.local", "reviews.default.svc.cluster.local", "v2", 9080))
        status, body, _ = _get(port, "/reviews/1?x=1", {"x-test": "yes", "x-inb-request": "a"})
    assert status == 200
    assert body["server"] == {"name": "outbound|9080|v2|reviews.default.svc.cluster.local",
                              "host": "reviews.default.svc.cluster.local", "subset": "v2", "port": 9080}
    assert body["method"] == "GET" and body["path"] == "/reviews/1?x=1" and body["headers"]["x-test"] == "yes"


def test_status_and_delay_on_request_and_counting_by_request_id():
    with EchoFleet() as fleet:
        port = fleet.add(EchoIdentity("a"))
        status, _, elapsed = _get(port, "/", {"x-echo-status": "503", "x-echo-delay-ms": "200", "x-inb-request": "id1"})
        _get(port, "/", {"x-inb-request": "id1"})
        assert status == 503 and elapsed >= 0.2
        assert len(fleet.log.of("id1")) == 2 and fleet.log.of("other") == []


def test_answers_with_the_headers_asked_for_but_never_framing_or_its_own():
    # envoy/response_probe.py: each asked header leaves the upstream as `from-upstream`.
    with EchoFleet() as fleet:
        port = fleet.add(EchoIdentity("a"))
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", "/", headers={"x-echo-respond-with": "X-One, x-two,content-length,x-echo-server,bad name"})
        response = connection.getresponse()
        response.read()
        lines = [(n.lower(), v) for n, v in response.getheaders()]
        connection.close()
    assert ("x-one", "from-upstream") in lines and ("x-two", "from-upstream") in lines
    assert [v for n, v in lines if n == "x-echo-server"] == ["a"]
    assert len([n for n, _ in lines if n == "content-length"]) == 1 and not [n for n, _ in lines if " " in n]


def test_per_server_failure_config():
    with EchoFleet() as fleet:
        port = fleet.add(EchoIdentity("broken"), status=500)
        assert _get(port, "/", {})[0] == 500


def test_one_server_per_name():
    with EchoFleet() as fleet:
        assert fleet.add(EchoIdentity("x")) == fleet.add(EchoIdentity("x"))
        assert fleet.names() == ["x"]


def _raw(port: int, data: bytes) -> bytes:
    """Send raw bytes, read until the server closes (each test asks it to)."""
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_keep_alive_serves_several_requests_on_one_connection():
    # Envoy reuses upstream connections (HTTP/1.1 keep-alive); the last request asks to close.
    with EchoFleet() as fleet:
        port = fleet.add(EchoIdentity("a"))
        request = b"GET /%d HTTP/1.1\r\nhost: a\r\nx-inb-request: k\r\n%s\r\n"
        raw = _raw(port, request % (1, b"") + request % (2, b"") + request % (3, b"connection: close\r\n"))
        assert raw.count(b"HTTP/1.1 200 OK\r\n") == 3
        assert [r.path for r in fleet.log.of("k")] == ["/1", "/2", "/3"]


def test_chunked_and_sized_bodies_are_read_whole_and_echoed():
    # Envoy forwards a body with content-length, or chunked when the downstream sent no length
    # (RFC 9112 section 7.1); either way the next request on the connection must still parse.
    with EchoFleet() as fleet:
        port = fleet.add(EchoIdentity("a"))
        chunked = b"POST /c HTTP/1.1\r\nhost: a\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=1\r\nde\r\n0\r\n\r\n"
        sized = b"POST /s HTTP/1.1\r\nhost: a\r\ncontent-length: 2\r\nconnection: close\r\n\r\nxy"
        raw = _raw(port, chunked + sized)
        bodies = [json.loads(part.split(b"\r\n\r\n", 1)[1])["body"] for part in raw.split(b"HTTP/1.1 ")[1:]]
        assert bodies == ["abcde", "xy"]


def test_a_request_that_cannot_be_framed_ends_the_connection_without_an_answer():
    with EchoFleet() as fleet:
        port = fleet.add(EchoIdentity("a"))
        assert _raw(port, b"GET / HTTP/1.1\r\ncontent-length: x\r\n\r\n") == b""
        assert _raw(port, b"not http\r\n\r\n") == b""
        assert _get(port, "/", {})[0] == 200  # the server itself is unaffected


def test_a_fleet_of_thousands_runs_on_one_thread_and_stops_with_a_request_in_flight():
    # One event loop for every server (issue 13: a thread per server polling every 50 ms did not
    # scale to 5,000 services); closing ends connections still waiting on a delay at once.
    import socket
    import threading

    before = threading.active_count()
    fleet = EchoFleet()
    ports = [fleet.add(EchoIdentity(f"c{i}")) for i in range(2000)]
    assert len(set(ports)) == 2000 and threading.active_count() == before + 1
    assert _get(ports[-1], "/", {"x-inb-request": "last"})[0] == 200
    waiting = socket.create_connection(("127.0.0.1", ports[0]), timeout=5)
    waiting.sendall(b"GET / HTTP/1.1\r\nhost: a\r\nx-echo-delay-ms: 25000\r\nx-inb-request: slow\r\n\r\n")
    assert fleet.log.wait_for("slow", 1, timeout=5)
    started = time.monotonic()
    fleet.close()
    assert time.monotonic() - started < 5  # not the 25 s delay, nor a join per server
    assert waiting.recv(1) == b""  # the connection was closed, not answered
    waiting.close()
    assert threading.active_count() == before


def test_a_status_header_that_is_not_a_final_status_is_ignored():
    with EchoFleet() as fleet:
        port = fleet.add(EchoIdentity("a"), status=202)
        assert [_get(port, "/", {"x-echo-status": s})[0] for s in ("abc", "101", "5030", "nan", "418")] == [202, 202, 202, 202, 418]


def test_ports_are_chosen_below_the_ephemeral_range_and_a_port_in_use_is_skipped():
    # bind(port 0) searches the ephemeral range and degrades with thousands of ports taken;
    # the allocator walks its own range from a random start instead (envoy/echo_ports.py).
    import random

    from istio_notebook.envoy.echo_ports import PortAllocator

    first = PortAllocator(random.Random(1))
    taken = first.listen()
    try:
        again = PortAllocator(random.Random(1))  # the same start: its first port is in use
        sock = again.listen()
        port, used = sock.getsockname()[1], taken.getsockname()[1]
        assert port != used and again.low <= port < again.high and again.high <= 65536
        sock.close()
    finally:
        taken.close()
