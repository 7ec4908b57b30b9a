"""Envoy lifecycle: ready via the admin API, ports chosen at run time, always reaped, logs kept."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from envoy_testkit import requires_envoy
from istio_notebook.envoy.runner import EnvoyError, EnvoyProcess, localize, validate

pytestmark = [pytest.mark.envoy, requires_envoy]

DIRECT = {
    "static_resources": {
        "listeners": [
            {
                "name": "0.0.0.0_8080",
                "address": {"socket_address": {"address": "0.0.0.0", "port_value": 8080}},
                "filter_chains": [
                    {
                        "filters": [
                            {
                                "name": "envoy.filters.network.http_connection_manager",
                                "typed_config": {
                                    "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
                                    "stat_prefix": "t",
                                    "route_config": {
                                        "name": "http.8080",
                                        "virtual_hosts": [
                                            {"name": "all", "domains": ["*"], "routes": [
                                                {"match": {"prefix": "/"}, "direct_response": {"status": 204}}]}
                                        ],
                                    },
                                    "http_filters": [
                                        {"name": "envoy.filters.http.router", "typed_config": {
                                            "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"}}
                                    ],
                                },
                            }
                        ]
                    }
                ],
            }
        ]
    }
}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (dead, not yet reaped by whoever inherited it) counts as dead
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def test_listener_gets_a_runtime_port_and_answers():
    from istio_notebook.envoy import client

    with EnvoyProcess(localize(DIRECT)) as envoy:
        port = envoy.listener_port("0.0.0.0_8080")
        assert port != 8080 and port > 0  # bound to port 0, read back from /listeners
        assert envoy.admin("/ready").strip() == "LIVE"
        assert client.send(port, "GET", "/", [("host", "x")]).status == 204


def test_process_is_reaped_on_normal_exit():
    with EnvoyProcess(localize(DIRECT)) as envoy:
        pid = envoy.process.pid
        assert _alive(pid)
    assert not _alive(pid)


def test_process_is_reaped_and_logs_kept_when_the_block_fails(tmp_path):
    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        with EnvoyProcess(localize(DIRECT), keep_logs_in=tmp_path) as envoy:
            pid = envoy.process.pid
            raise Boom
    assert not _alive(pid)
    kept = list(tmp_path.iterdir())
    assert len(kept) == 1 and (kept[0] / "envoy.json").exists() and (kept[0] / "envoy.log").exists()


def test_keyboard_interrupt_reaps_too():
    with pytest.raises(KeyboardInterrupt), EnvoyProcess(localize(DIRECT)) as envoy:
        pid = envoy.process.pid
        raise KeyboardInterrupt
    assert not _alive(pid)


ORPHAN_SCRIPT = """
import json, sys, time
from istio_notebook.envoy.runner import EnvoyProcess, localize
envoy = EnvoyProcess(localize(json.loads(sys.argv[1])))
envoy.start()
print(envoy.process.pid, flush=True)
time.sleep(60)
"""


@pytest.mark.skipif(shutil.which("setpriv") is None, reason="needs util-linux setpriv (parent-death signal)")
def test_envoy_dies_when_its_parent_is_killed_outright():
    """SIGKILL skips atexit and every handler: the parent-death signal is what reaps Envoy then."""
    parent = subprocess.Popen([sys.executable, "-c", ORPHAN_SCRIPT, json.dumps(DIRECT)], stdout=subprocess.PIPE, text=True)
    try:
        pid = int(parent.stdout.readline())
        assert _alive(pid)
    finally:
        parent.kill()
        parent.wait(timeout=10)
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid), f"Envoy {pid} outlived its killed parent"


def test_rejected_config_is_a_one_line_error_naming_the_kept_log():
    bad = {"static_resources": {"clusters": [{"name": "c", "type": "NO_SUCH_TYPE"}]}}
    with pytest.raises(EnvoyError) as raised, EnvoyProcess(bad, ready_timeout=10):
        pass
    assert "exited with status" in str(raised.value) and "log kept in" in str(raised.value)


def test_validate_mode_accepts_good_and_rejects_bad_config():
    assert validate(DIRECT)[0] is True
    ok, message = validate({"static_resources": {"clusters": [{"name": "c", "type": "NO_SUCH_TYPE"}]}})
    assert ok is False and message


def test_rejection_reason_drops_the_log_prefix_and_the_temporary_path():
    from istio_notebook.envoy.runner import rejection_reason

    line = ("[2026-11-26 01:25:34.701][22116][critical][main] [source/server/config_validation/server.cc:76] "
            "error initializing configuration '/tmp/istio-notebook-validate-hvs8rm_r/envoy.json': missing ): /a(b")
    assert rejection_reason("first line\n" + line) == "error initializing configuration: missing ): /a(b"
    assert rejection_reason("") == "no message"
