"""envoy/running.EnvoyRun: the lifecycle both scenarios share (RunningEnvoy, InboundScenario).

What start() made — the CA's temporary directory, the echo fleet — is gone after close(), and
also when start() fails half-way, so a run never leaves private keys behind (cli/signals.py
relies on close() for the same reason). No Envoy is started here.
"""

from __future__ import annotations

import pytest
from istio_notebook.envoy.authz_replay import InboundScenario
from istio_notebook.envoy.echo import EchoFleet
from istio_notebook.envoy.running import EnvoyRun, RunningEnvoy


class _FailsAfterCertificates(EnvoyRun):
    def _start(self) -> None:
        self._ca().workload("cluster.local/ns/foo/sa/bar")
        self.fleet = EchoFleet()
        self.made = self.workdir
        raise RuntimeError("Envoy refused the configuration")


def test_a_failed_start_removes_the_certificates_and_the_echo_fleet() -> None:
    run = _FailsAfterCertificates()
    with pytest.raises(RuntimeError):
        run.start()
    assert run.made is not None and not run.made.exists()
    assert run.fleet is None and run.envoy is None and run.workdir is None


def test_close_is_idempotent_and_both_scenarios_share_the_lifecycle() -> None:
    run = _FailsAfterCertificates()
    run.close()
    run.close()
    assert issubclass(RunningEnvoy, EnvoyRun) and issubclass(InboundScenario, EnvoyRun)
