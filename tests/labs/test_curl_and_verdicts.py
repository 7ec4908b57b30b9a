"""Mapping checks to curl requests, parsing curl's output, judging expectations from it."""

from __future__ import annotations

import pytest

from labs_testkit import REPO, sample
from istio_notebook.config import Mesh, load_paths
from istio_notebook.config.yaml_reader import Origin
from istio_notebook.examples.checks import parse_checks
from istio_notebook.examples.model import CheckContext
from istio_notebook.labs.curl import PROBE_HEADER, Transfer, curl_argv, parse_transfers
from istio_notebook.labs.kind import NotRunnable, client_for, gateway_client
from istio_notebook.labs.verdicts import FAIL, PASS, SKIP, WEIGHT_SAMPLES, Observation, extra_headers, judge, repeat_for

MESH = Mesh(load_paths([REPO / "docs/fixtures/bookinfo.yaml", REPO / "docs/fixtures/istio-ingressgateway.yaml",
                        REPO / "labs/request-routing/destination-rule.yaml", REPO / "labs/ingress-gateway/gateway.yaml"]).resources)


def one_check(text: str, **context):
    checks = parse_checks(text, Origin("t.md"), context=CheckContext(**context))
    assert len(checks) == 1 and not checks[0].diagnostics, checks
    return checks[0]


def transfer(status=200, seconds=0.01, body="", echo_service=None, echo_version="", path="/", headers=None, redirect=None, response_headers=None):
    from istio_notebook.labs.curl import Echo

    t = Transfer(status, seconds, 0, redirect, response_headers or {}, body)
    if echo_service:
        t.echo = Echo(echo_service, echo_version, path, headers or {}, f"{echo_service}-{echo_version}-abc")
    return t


# ------------------------------------------------------------ parsing curl output


def test_echo_transfer_names_service_version_path_and_headers() -> None:
    (t,) = parse_transfers(sample("curl-echo.txt"))
    assert (t.status, t.exit_code, t.redirect_url) == (200, 0, None)
    assert t.seconds == pytest.approx(0.011987)
    assert (t.echo.service, t.echo.version, t.echo.path, t.echo.pod) == ("reviews", "v2", "/reviews/1", "reviews-v2-65cb66b45c-s774h")
    assert t.echo.headers["end-user"] == "jason"
    assert t.response_headers["server"] == "envoy"


def test_rbac_denial_is_a_403_without_echo() -> None:
    (t,) = parse_transfers(sample("curl-rbac-denied.txt"))
    assert (t.status, t.body, t.echo) == (403, "RBAC: access denied", None)


def test_redirect_keeps_the_location() -> None:
    (t,) = parse_transfers(sample("curl-redirect.txt"))
    assert (t.status, t.redirect_url) == (301, "https://secure.example.com/status/200")


def test_several_transfers_in_one_output() -> None:
    assert len(parse_transfers(sample("curl-echo.txt") * 3)) == 3


def test_no_marker_means_no_transfer() -> None:
    assert parse_transfers("error: unable to upgrade connection: container not found\n") == []


# ------------------------------------------------------------ mapping checks to requests


def test_curl_argv_carries_method_headers_data_and_probe_id() -> None:
    check = one_check("curl -X PUT -H 'end-user: jason' --data 'x=1' http://reviews:9080/reviews/1\n→ reviews v2\n")
    argv = curl_argv(check.request, probe_id="inb-1")
    assert argv[:2] == ["curl", "-sS"]
    assert argv[argv.index("-X") + 1] == "PUT"
    assert "end-user: jason" in argv and f"{PROBE_HEADER}: inb-1" in argv
    assert argv[argv.index("--data") + 1] == "x=1"
    assert argv[-1] == "http://reviews:9080/reviews/1"
    assert "--max-time" in argv  # every request is bounded


def test_weighted_expectations_send_many_requests_in_one_curl() -> None:
    check = one_check("curl http://reviews:9080/\n→ reviews v1 50% | reviews v3 50%\n")
    assert repeat_for(check.expectations) == WEIGHT_SAMPLES
    argv = curl_argv(check.request, probe_id="p", repeat=repeat_for(check.expectations))
    assert argv.count("http://reviews:9080/") == WEIGHT_SAMPLES


def test_timeouts_and_retries_make_the_echo_server_misbehave() -> None:
    timeout = one_check("curl http://reviews:9080/\n→ timeout 1s\n")
    assert extra_headers(timeout.expectations) == ("x-set-response-delay-ms: 3000",)
    retries = one_check("curl http://ratings:9080/\n→ retries 3 2s on=5xx\n")
    assert extra_headers(retries.expectations) == ("x-set-response-status-code: 503",)


def test_mesh_check_is_sent_from_the_from_client() -> None:
    check = one_check("curl http://reviews:9080/\n→ reviews v1\n", from_="default/app=productpage")
    client = client_for(check, MESH, "default/app=sleep")
    assert (client.namespace, client.selector, client.connect_to) == ("default", "app=productpage", None)


def test_without_from_the_lab_client_sends() -> None:
    check = one_check("curl http://reviews:9080/\n→ reviews v1\n")
    assert client_for(check, MESH, "foo/app=sleep").namespace == "foo"


def test_gateway_check_connects_to_the_gateway_service_port_that_targets_the_server_port() -> None:
    # The Gateway listens on 8080; the ingress Service's port 80 targets it (docs/fixtures/istio-ingressgateway.yaml).
    client = gateway_client(MESH, "default/httpbin-gateway", "http://httpbin.example.com/status/200")
    assert client.namespace == "outside"
    assert client.connect_to == "httpbin.example.com:80:istio-ingressgateway.istio-system.svc.cluster.local:80"


def test_authz_sources_map_to_sleep_clients_or_are_not_runnable() -> None:
    check = one_check("curl http://httpbin.foo:8000/get\n→ ALLOW\n", to="foo/app=httpbin", source_principal="cluster.local/ns/bar/sa/sleep")
    assert client_for(check, MESH, "default/app=sleep").namespace == "bar"
    plaintext = one_check("curl http://httpbin.foo:8000/get\n→ DENY\n", to="foo/app=httpbin", mtls=False)
    assert client_for(plaintext, MESH, "default/app=sleep").namespace == "outside"
    claims = one_check("curl http://httpbin.foo:8000/get\n→ ALLOW\n", to="foo/app=httpbin", claims={"iss": "x"})
    with pytest.raises(NotRunnable, match="JWT"):
        client_for(claims, MESH, "default/app=sleep")


# ------------------------------------------------------------ judging


def verdict(line: str, *transfers: Transfer, hits=None):
    check = one_check(f"curl http://reviews:9080/reviews/1\n→ {line}\n")
    return judge(check.expectations[0], Observation(list(transfers), hits or {}), MESH)


def test_destination_with_subset_compares_the_version_label() -> None:
    assert verdict("reviews v2", transfer(echo_service="reviews", echo_version="v2"))[0] == PASS
    status, actual = verdict("reviews v2", transfer(echo_service="reviews", echo_version="v1"))
    assert (status, actual) == (FAIL, "reviews v1")


def test_weighted_destination_tolerates_sampling_noise_but_not_a_wrong_split() -> None:
    even = [transfer(echo_service="reviews", echo_version="v1")] * 22 + [transfer(echo_service="reviews", echo_version="v3")] * 18
    assert verdict("reviews v1 50% | reviews v3 50%", *even)[0] == PASS
    skewed = [transfer(echo_service="reviews", echo_version="v1")] * 40
    assert verdict("reviews v1 50% | reviews v3 50%", *skewed)[0] == FAIL


def test_status_redirect_and_no_route() -> None:
    assert verdict("404", transfer(404, body="")) == (PASS, "status 404")
    assert verdict("no-route", transfer(404))[0] == PASS
    assert verdict("no-route", transfer(404, echo_service="reviews", echo_version="v1"))[0] == FAIL
    redirect = transfer(301, redirect="https://secure.example.com/x")
    assert verdict("redirect 301 https://secure.example.com/x", redirect)[0] == PASS


def test_path_and_request_headers_come_from_the_echo() -> None:
    echoed = transfer(echo_service="reviews", echo_version="v1", path="/v2/reviews?x=1", headers={"x-foo": "bar", "host": "api.internal"})
    assert verdict("path /v2/reviews", echoed)[0] == PASS
    assert verdict("header request x-foo: bar", echoed)[0] == PASS
    assert verdict("authority api.internal", echoed)[0] == PASS
    assert verdict("header request x-foo: baz", echoed)[0] == FAIL


def test_faults_timeouts_and_authz() -> None:
    assert verdict("fault delay 7s 100%", transfer(seconds=7.02))[0] == PASS
    assert verdict("fault delay 7s 100%", transfer(seconds=0.02))[0] == FAIL
    assert verdict("fault abort 500 100%", transfer(500))[0] == PASS
    assert verdict("fault abort 500 50%", transfer(500))[0] == SKIP
    assert verdict("timeout 1s", transfer(504, seconds=1.01))[0] == PASS
    assert verdict("timeout 1s", transfer(200, seconds=3.0))[0] == FAIL
    assert verdict("DENY", transfer(403, body="RBAC: access denied"))[0] == PASS
    assert verdict("ALLOW", transfer(403, body="RBAC: access denied"))[0] == FAIL
    assert verdict("ALLOW", transfer(200, echo_service="httpbin", echo_version="v1"))[0] == PASS


def test_retries_and_mirrors_are_counted_in_upstream_logs() -> None:
    answered = transfer(503, echo_service="ratings", echo_version="v1")
    assert verdict("retries 3 2s on=5xx", answered, hits={"ratings ": 4})[0] == PASS
    assert verdict("retries 3 2s on=5xx", answered, hits={"ratings ": 1})[0] == FAIL
    assert verdict("retries 3", answered)[0] == SKIP  # a 503 is not retried unless retry_on says so
    assert verdict("mirror reviews v2 100%", answered, hits={"reviews v2": 1})[0] == PASS
    assert verdict("mirror reviews v2 100%", answered, hits={"reviews v2": 0})[0] == FAIL


@pytest.mark.parametrize("line", ["cluster outbound|9080|v2|reviews.default.svc.cluster.local", "tls ISTIO_MUTUAL", "lb ROUND_ROBIN"])
def test_what_a_client_cannot_observe_is_skipped_with_a_reason(line: str) -> None:
    status, note = verdict(line, transfer(echo_service="reviews", echo_version="v2"))
    assert status == SKIP and "not observable" in note


def test_a_destination_outside_the_echo_workloads_is_judged_by_reaching_it() -> None:
    egress = Mesh(load_paths([REPO / "docs/fixtures/sleep.yaml", REPO / "docs/fixtures/istio-egressgateway.yaml",
                              *sorted((REPO / "labs/egress").glob("*.yaml"))]).resources)
    check = one_check("curl http://httpbin.org/headers\n→ httpbin.org:80\n")
    reached = judge(check.expectations[0], Observation([transfer(200, body='{"headers": {}}')]), egress)
    assert reached[0] == PASS and "outside the echo workloads" in reached[1]
    assert judge(check.expectations[0], Observation([transfer(502)]), egress)[0] == FAIL
