"""The TCP lab (istio.io tasks/traffic-management/tcp-traffic-shifting) on the kind backend, with a
fake runner: `nc HOST PORT` checks go out as HTTP over a TCP connection, one connection per transfer.

Why that is a TCP check: a Service port named `tcp` is TCP to Istio (istio.io "Protocol Selection":
the name prefix), so the sidecar and the gateway forward its bytes with tcp_proxy and never read the
HTTP inside; the echo server's answer then names the version the connection reached. TCP weights
apply per connection (Envoy docs, TCP proxy: weighted_clusters picks a cluster per connection), so
each transfer closes its connection.
"""

from __future__ import annotations

import pytest
from labs_testkit import FakeClock, FakeRunner
from istio_notebook.examples.connections import parse_nc, parse_openssl
from istio_notebook.labs.curl import wire_request
from istio_notebook.labs.runner import Completed
from istio_notebook.labs.scenario import load_scenario
from test_kind_backend import CATALOG, CONTEXT, backend, echo_output, our_cluster

LAB = "tcp-traffic-shifting"


def test_nc_goes_out_as_http_over_its_own_connection():
    wire = wire_request(parse_nc("nc tcp-echo 9000"))
    assert (wire.method, wire.url, wire.headers) == ("GET", "http://tcp-echo:9000/", ["Connection: close"])
    with pytest.raises(ValueError, match="not sent on kind yet"):
        wire_request(parse_openssl("openssl s_client -connect nginx.example.com:443"))


def test_the_gateway_check_connects_to_the_gateways_tcp_port_and_counts_versions(runner: FakeRunner, clock: FakeClock):
    answers = iter(["v1", "v1", "v1", "v1", "v2"] * 8)  # 32 / 8 of 40 connections: 80% / 20%

    def mixed(argv, _input):
        repeat = sum(1 for word in argv if word.startswith("http://"))
        return Completed(argv, 0, "".join(echo_output("tcp-echo", next(answers)) for _ in range(repeat)), "")

    our_cluster(runner).on("kubectl", "--context", CONTEXT, "exec", answer=mixed)
    scenario = load_scenario(CATALOG.labs[LAB], CATALOG.fixtures_dir)
    report = backend(runner, clock, settle_timeout=0).run_check(scenario.checks[0], scenario.mesh, scenario.lab.client)
    sent = next(c for c in runner.commands() if " exec " in c)
    assert "--connect-to 203.0.113.10:31400:istio-ingressgateway.istio-system.svc.cluster.local:31400" in sent
    assert sent.count("http://203.0.113.10:31400/") == 40 and "-H Connection: close" in sent
    assert report.status == "passed", report.differences


def test_weights_the_other_way_round_fail(runner: FakeRunner, clock: FakeClock):
    # (All on v1 would pass: 100/0 is within the kind backend's ±20 points of 80/20.)
    our_cluster(runner).on("kubectl", "--context", CONTEXT, "exec",
                           answer=lambda argv, _i: Completed(argv, 0, echo_output("tcp-echo", "v2") * 40, ""))
    scenario = load_scenario(CATALOG.labs[LAB], CATALOG.fixtures_dir)
    report = backend(runner, clock, settle_timeout=0).run_check(scenario.checks[0], scenario.mesh, scenario.lab.client)
    assert report.status == "failed" and "tcp-echo v2 100%" in " ".join(report.differences)
