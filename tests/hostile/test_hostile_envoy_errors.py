"""Envoy failures reported whole and where they are (issue 13, points 5 and 7).

- A rejection's reason is Envoy's whole last log entry: "Duration out-of-range" is followed by
  the offending protobuf value on the next line, which the first line alone lost.
- "log kept in DIR" names a directory that exists, also after the caller's own cleanup and when
  logs are moved under $ISTIO_NOTEBOOK_ENVOY_LOGS.
- A rejection names the input's file:line (envoy/blame.py): the value Envoy's reason ends with or
  holds, else the resource from which on a binary search of translations is refused, on
  `envoy-config --validate` (INB5001) and on `route --backend envoy` (the one-line error).
"""

from __future__ import annotations

import subprocess

import pytest

from istio_notebook.envoy.binary import envoy_available
from istio_notebook.envoy.runner import EnvoyError, EnvoyProcess, rejection_reason, validate

from hostile_meshes import mesh_file

requires_envoy = pytest.mark.skipif(not envoy_available(), reason="no Envoy binary")

BAD = {"static_resources": {"clusters": [{"name": "c", "type": "NO_SUCH_TYPE"}]}}


def route_with_timeout(timeout: str) -> dict:
    manager = {
        "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
        "stat_prefix": "x",
        "http_filters": [{"name": "envoy.filters.http.router", "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"}}],
        "route_config": {"virtual_hosts": [{"name": "v", "domains": ["*"], "routes": [
            {"match": {"prefix": "/"}, "route": {"cluster": "c", "timeout": timeout}}]}]},
    }
    return {"static_resources": {
        "listeners": [{"name": "l", "address": {"socket_address": {"address": "127.0.0.1", "port_value": 0}},
                       "filter_chains": [{"filters": [{"name": "envoy.filters.network.http_connection_manager",
                                                       "typed_config": manager}]}]}],
        "clusters": [{"name": "c", "connect_timeout": "1s", "load_assignment": {"cluster_name": "c", "endpoints": []}}],
    }}


def test_a_multi_line_reason_is_kept_whole():
    message = (
        "[2026-12-02 19:48:46.169][14378][critical][main] [source/server/config_validation/server.cc:76] "
        "error initializing configuration '/tmp/istio-notebook-validate-t5u4jzkn/envoy.json': Invalid duration: "
        "Duration out-of-range: goo.gle/debugproto    \nseconds: 9223372036\n"
    )
    assert rejection_reason(message) == (
        "error initializing configuration: Invalid duration: Duration out-of-range: goo.gle/debugproto seconds: 9223372036"
    )


@requires_envoy
@pytest.mark.envoy
def test_envoy_refuses_the_first_duration_beyond_its_limit_and_says_which():
    # The limit config/models/base.py enforces (ENVOY_DURATION_MAX_SECONDS), replayed on real Envoy.
    assert validate(route_with_timeout("9223372035.999999999s"))[0] is True
    accepted, message = validate(route_with_timeout("9223372036s"))
    assert not accepted
    assert "Duration out-of-range" in rejection_reason(message) and "9223372036" in rejection_reason(message)


@requires_envoy
@pytest.mark.envoy
@pytest.mark.parametrize("keep", [False, True])
def test_the_kept_log_directory_exists_after_every_cleanup(tmp_path, keep):
    envoy = EnvoyProcess(BAD, ready_timeout=10, keep_logs_in=tmp_path / "logs" if keep else None)
    with pytest.raises(EnvoyError) as raised:
        envoy.__enter__()
    envoy.stop()  # a caller's cleanup after the failure (the replays close() what they opened)
    named = str(raised.value).rsplit("(log kept in ", 1)[1].rstrip(")")
    assert envoy.kept_logs is not None and str(envoy.kept_logs) == named
    assert (envoy.kept_logs / "envoy.log").is_file()
    if not keep:
        import shutil

        shutil.rmtree(envoy.kept_logs)


# -- rejections named by the input's file:line (envoy/blame.py) ----------------------------------

def _cli(*argv: str, env_logs) -> "subprocess.CompletedProcess":
    import os
    import sys

    env = {**os.environ, "ISTIO_NOTEBOOK_ENVOY_LOGS": str(env_logs)}  # kept logs out of $TMPDIR
    return subprocess.run([sys.executable, "-m", "istio_notebook", *argv], capture_output=True, text=True,
                          timeout=120, env=env)


# A %VARIABLE% Envoy does not know passes Istio's validation (istiod does not check the name) and
# Envoy 1.40.0 refuses it: "Not supported field in StreamInfo: FOO".
UNKNOWN_VARIABLE = "headers: {request: {set: {x-a: '%FOO%'}}}"


@requires_envoy
def test_route_on_envoy_names_the_line_of_the_value_envoy_refused(tmp_path):
    path = mesh_file(tmp_path, UNKNOWN_VARIABLE)
    result = _cli("route", str(path), "--request", "GET http://reviews:9080/", "--backend", "envoy", env_logs=tmp_path / "logs")
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"istio-notebook route: error: {path}:14: envoy backend failed: envoy exited with status 1: "
                           "it refused the configuration: Not supported field in StreamInfo: FOO (log kept in ")


@requires_envoy
@pytest.mark.parametrize(("rule", "route", "line"), [
    (UNKNOWN_VARIABLE, True, 14),  # the value holding the reason's last word
    ("directResponse: {status: 600}", False, 7),  # no value to point at: the VirtualService itself
])
def test_envoy_config_validate_blames_the_resource_envoy_refused(tmp_path, rule, route, line):
    path = mesh_file(tmp_path, rule, route)
    result = _cli("envoy-config", str(path), "--from", "default", "--validate", env_logs=tmp_path / "logs")
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error [INB5001] ({path}:{line}) Envoy "), result.stderr


def test_the_binary_search_finds_the_first_refused_resource():
    from istio_notebook.envoy.blame import first_refused

    calls: list[int] = []

    def refused(prefix):
        calls.append(len(prefix))
        return 6 in prefix

    assert first_refused(list(range(10)), refused) == 6
    assert len(calls) <= 5  # [] and about log2(10) prefixes
    assert first_refused(list(range(10)), lambda prefix: True) is None  # refused with no input at all
