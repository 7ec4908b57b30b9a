"""Envoy failures reported whole and where they are (issue 13, points 5 and 7).

- A rejection's reason is Envoy's whole last log entry: "Duration out-of-range" is followed by
  the offending protobuf value on the next line, which the first line alone lost.
- "log kept in DIR" names a directory that exists, also after the caller's own cleanup and when
  logs are moved under $ISTIO_NOTEBOOK_ENVOY_LOGS.
"""

from __future__ import annotations

import pytest

from istio_notebook.envoy.binary import envoy_available
from istio_notebook.envoy.runner import EnvoyError, EnvoyProcess, rejection_reason, validate

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
