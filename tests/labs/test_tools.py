"""Preflight: parsing the real version outputs of docker, kind, kubectl, istioctl; naming what is missing."""

from __future__ import annotations

import pytest

from labs_testkit import FakeRunner, healthy_tools, sample
from istio_notebook.labs import pins
from istio_notebook.labs.tools import (
    PreflightError,
    parse_docker_version,
    parse_istioctl_version,
    parse_kind_version,
    parse_kubectl_version,
    preflight,
)


def test_docker_version_reads_client_and_server() -> None:
    assert parse_docker_version(sample("docker-version.json")) == ((28, 3, 3), (28, 3, 3))


def test_docker_version_without_daemon_has_no_server() -> None:
    assert parse_docker_version(sample("docker-version-daemon-down.json")) == ((28, 3, 3), None)


def test_kind_version() -> None:
    assert parse_kind_version(sample("kind-version.txt")) == (0, 30, 0)


def test_kubectl_client_version_from_json() -> None:
    assert parse_kubectl_version(sample("kubectl-version.json")) == (1, 34, 1)


@pytest.mark.parametrize("name, expected", [("istioctl-version.txt", (1, 30, 5)), ("istioctl-version-old.txt", (1, 22, 0))])
def test_istioctl_version_both_formats(name: str, expected: tuple) -> None:
    assert parse_istioctl_version(sample(name)) == expected


@pytest.mark.parametrize("text", ["", "not json", "{}", "[]"])
def test_parsers_answer_none_for_garbage(text: str) -> None:
    assert parse_kubectl_version(text) is None
    assert parse_kind_version(text) is None
    assert parse_istioctl_version(text) is None
    assert parse_docker_version(text) == (None, None)


def test_preflight_passes_with_the_captured_versions() -> None:
    reports = preflight(healthy_tools(FakeRunner()))
    assert [(r.name, r.version) for r in reports] == [
        ("docker", (28, 3, 3)), ("kind", (0, 30, 0)), ("kubectl", (1, 34, 1)), ("istioctl", (1, 30, 5)),
    ]


def test_preflight_names_every_missing_tool() -> None:
    runner = healthy_tools(FakeRunner(tools=("docker", "kubectl")))
    with pytest.raises(PreflightError) as error:
        preflight(runner)
    assert "kind is not installed" in str(error.value) and "istioctl is not installed" in str(error.value)


def test_preflight_reports_a_stopped_docker_daemon() -> None:
    runner = healthy_tools(FakeRunner()).on(
        "docker", "version", stdout=sample("docker-version-daemon-down.json"),
        stderr=sample("docker-version-daemon-down.stderr"), returncode=1,
    )
    with pytest.raises(PreflightError, match="docker daemon is not reachable: Cannot connect to the Docker daemon"):
        preflight(runner)


def test_preflight_refuses_another_istio_minor() -> None:
    runner = healthy_tools(FakeRunner()).on("istioctl", "version", stdout="client version: 1.29.8\n")
    with pytest.raises(PreflightError, match=f"istioctl 1.29.8 found; the labs pin Istio {pins.ISTIO_VERSION}"):
        preflight(runner)


def test_preflight_refuses_an_old_kubectl() -> None:
    old = sample("kubectl-version.json").replace("v1.34.1", "v1.27.3")
    runner = healthy_tools(FakeRunner()).on("kubectl", "version", stdout=old)
    with pytest.raises(PreflightError, match="kubectl 1.27.3 is too old"):
        preflight(runner)
