"""Connection checks (`nc`, `openssl s_client`) on the kind backend, with a fake runner: the
commands a learner would run in the client pod, and what their output says.

It cannot run here (no images, no cluster): these tests pin the commands built and the reading
of their output. Sources: istio.io TCP Traffic Shifting task (the client pipes a line into `nc`
inside the sleep pod, and the tcp-echo sample answers it prefixed: samples/tcp-echo); Envoy
docs, TCP proxy (weighted_clusters picks a cluster per connection, so each connection counts
once); openssl-s_client(1) (-connect, -servername, -alpn, -quiet reads standard input);
netcat-openbsd nc(1) (-N shuts the socket down after EOF on standard input, -w timeout).
"""

from __future__ import annotations

import json

from labs_testkit import FakeClock, FakeRunner, sample
from istio_notebook.config import load_paths
from istio_notebook.examples.connections import parse_nc, parse_openssl
from istio_notebook.labs import pins
from istio_notebook.labs.connections import connection_script, missing_tools, parse_connections
from istio_notebook.labs.runner import Completed
from istio_notebook.labs.scenario import load_scenario
from istio_notebook.labs.workloads import workload_documents
from test_kind_backend import CATALOG, CONTEXT, REPO, backend, our_cluster

LAB = "tcp-traffic-shifting"
OPENSSL = "OpenSSL 3.3.2 3 Sep 2024 (Library: OpenSSL 3.3.2 3 Sep 2024)\n"


def tcp_replies(versions: list[str]) -> str:
    return "".join(f"inb-echo:tcp-echo:{v} inb-probe inb-x\n\n@@INB-CONN@@ 0\n" for v in versions)


def cluster_with_tools(runner: FakeRunner, replies, tools: str = OPENSSL, tools_rc: int = 0) -> FakeRunner:
    def exec_(argv, _input):
        if argv[-1].startswith("command -v"):
            return Completed(argv, tools_rc, tools, "")
        return Completed(argv, 0, replies(argv[-1]) if callable(replies) else replies, "")

    return our_cluster(runner).on("kubectl", "--context", CONTEXT, "exec", answer=exec_)


def run_check(runner: FakeRunner, clock: FakeClock, index: int):
    scenario = load_scenario(CATALOG.labs[LAB], CATALOG.fixtures_dir)
    return backend(runner, clock, settle_timeout=0).run_check(scenario.checks[index], scenario.mesh, scenario.lab.client)


def connection_calls(runner: FakeRunner) -> list[tuple[str, ...]]:
    return [argv for argv, _ in runner.calls if " exec " in " ".join(argv) and not argv[-1].startswith("command -v")]


def test_the_gateway_check_pipes_a_line_into_nc_once_per_connection(runner: FakeRunner, clock: FakeClock):
    cluster_with_tools(runner, tcp_replies(["v1", "v1", "v1", "v1", "v2"] * 8))  # 32 / 8 of 40: 80% / 20%
    report = run_check(runner, clock, 0)
    argv = connection_calls(runner)[0]
    assert argv[:5] == ("kubectl", "--context", CONTEXT, "exec", "-n") and argv[7:12] == ("-c", "tools", "--", "sh", "-c")
    script = argv[-1]
    # The outside client dials the ingress gateway's Service on the TCP server's port, 40 times.
    assert "nc -N -w 5 istio-ingressgateway.istio-system.svc.cluster.local 31400" in script
    assert "$(seq 40)" in script and "timeout 10 nc" in script and "echo 'inb-probe inb-" in script
    assert report.status == "passed", report.differences


def test_weights_the_other_way_round_fail(runner: FakeRunner, clock: FakeClock):
    cluster_with_tools(runner, tcp_replies(["v2"] * 40))
    report = run_check(runner, clock, 0)
    assert report.status == "failed" and "tcp-echo v2 100%" in " ".join(report.differences)


def test_the_mesh_check_is_answered_by_the_tcp_echo_and_skips_the_cluster_name(runner: FakeRunner, clock: FakeClock):
    cluster_with_tools(runner, tcp_replies(["v2"]))
    report = run_check(runner, clock, 1)
    assert "nc -N -w 5 tcp-echo 9000" in connection_calls(runner)[0][-1]
    assert report.status == "passed" and any("cluster" in n for n in report.notes), report


def test_a_client_pod_without_the_tools_skips_connection_checks_saying_why(runner: FakeRunner, clock: FakeClock):
    cluster_with_tools(runner, "", tools="sh: openssl: not found\n", tools_rc=127)
    report = run_check(runner, clock, 1)
    assert report.status == "skipped" and "netcat-openbsd" in " ".join(report.notes) and not connection_calls(runner)


def test_openssl_older_than_1_1_1_is_refused():
    assert "older than 1.1.1" in missing_tools(True, "OpenSSL 1.0.2k-fips  26 Jan 2017\n")
    assert missing_tools(True, OPENSSL) is None


def test_openssl_runs_s_client_with_the_lines_sni_and_alpn_and_reads_the_echo_inside_tls():
    request = parse_openssl("openssl s_client -connect 203.0.113.10:443 -servername nginx.example.com -alpn h2,http/1.1")
    script = connection_script(request, probe_id="inb-1", connect_to="203.0.113.10:443:istio-ingressgateway.istio-system.svc.cluster.local:443")
    assert ("openssl s_client -quiet -connect istio-ingressgateway.istio-system.svc.cluster.local:443 "
            "-servername nginx.example.com -alpn h2,http/1.1") in script
    assert "Host: %s" in script and "\\r\\n' nginx.example.com 'inb-probe inb-1' |" in script  # printf fills Host with the SNI
    plain = parse_openssl("openssl s_client -connect my-nginx:443")
    assert " -alpn" not in connection_script(plain, probe_id="inb-1")  # no -alpn on the line: none offered
    echo = json.loads(sample("curl-echo.txt").partition("\n@@INB-CURL@@")[0])
    echo["env"].update(SERVICE_NAME="my-nginx", SERVICE_VERSION="v1")
    reply = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n" + json.dumps(echo)
    [transfer] = parse_connections(reply + "\n@@INB-CONN@@ 0\n", "openssl")
    assert transfer.connection and transfer.status == 200 and (transfer.echo.service, transfer.echo.version) == ("my-nginx", "v1")


def test_a_connection_closed_without_an_answer_is_a_blackhole_not_a_destination():
    [closed] = parse_connections("\n@@INB-CONN@@ 0\n", "nc")
    assert closed.echo is None and closed.body == "" and closed.connection
    [refused] = parse_connections("HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n\n@@INB-CONN@@ 0\n", "nc")
    assert refused.status == 400 and refused.echo is None  # an HTTP listener answered nc's line itself
    from istio_notebook.labs.connections import judge_connection
    assert judge_connection("blackhole", closed)[0] and judge_connection("blackhole", refused)[0]
    assert not judge_connection("passthrough", closed)[0]


def test_nc_with_z_is_still_sent_with_a_payload():
    # Through a sidecar the connect always succeeds (the sidecar accepts it): only an answer says where it went.
    assert "nc -N -w 5 tcp-echo 9000" in connection_script(parse_nc("nc -z -w 2 tcp-echo 9000"), probe_id="inb-1")


def test_tcp_only_pods_run_istios_tcp_echo_and_clients_get_a_tools_container():
    loaded = load_paths([str(REPO / "docs" / "fixtures" / f"{name}.yaml") for name in ("tcp-echo", "sleep")])
    documents = workload_documents(loaded.resources)
    v1 = next(d for d in documents if d["kind"] == "Deployment" and d["metadata"]["name"] == "tcp-echo-v1")
    [container] = v1["spec"]["template"]["spec"]["containers"]
    assert (container["image"], container["args"]) == (pins.TCP_ECHO_IMAGE, ["9000", "inb-echo:tcp-echo:v1"])
    sleep = next(d for d in documents if d["kind"] == "Deployment" and d["metadata"]["name"] == "sleep")
    images = {c["name"]: c["image"] for c in sleep["spec"]["template"]["spec"]["containers"]}
    assert images == {"curl": pins.CURL_IMAGE, "tools": pins.TOOLS_IMAGE}
