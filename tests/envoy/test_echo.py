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


def test_per_server_failure_config():
    with EchoFleet() as fleet:
        port = fleet.add(EchoIdentity("broken"), status=500)
        assert _get(port, "/", {})[0] == 500


def test_one_server_per_name():
    with EchoFleet() as fleet:
        assert fleet.add(EchoIdentity("x")) == fleet.add(EchoIdentity("x"))
        assert fleet.names() == ["x"]
