"""Preflight for the kind backend: the tools exist, and their versions are new enough.

Each parser reads the real output format of the tool's own version command (samples
captured in tests/labs/data/). A missing or too-old tool is named with what was found, in one
line, before anything touches a cluster.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from istio_notebook.labs import pins
from istio_notebook.labs.runner import CommandRunner

Version = tuple[int, int, int]
_SEMVER = re.compile(r"v?(\d+)\.(\d+)\.(\d+)")


class PreflightError(RuntimeError):
    """The machine cannot run the kind backend; the message names the tool and the version."""


def _semver(text: str) -> Version | None:
    match = _SEMVER.search(text)
    return (int(match[1]), int(match[2]), int(match[3])) if match else None


def parse_docker_version(stdout: str) -> tuple[Version | None, Version | None]:
    """``docker version --format '{{json .}}'``: (client, server); server None when the daemon is down."""
    try:
        data = json.loads(stdout.strip().splitlines()[0]) if stdout.strip() else {}
    except (json.JSONDecodeError, IndexError):
        return None, None
    client = _semver((data.get("Client") or {}).get("Version", "")) if isinstance(data, dict) else None
    server = _semver(((data.get("Server") or {}).get("Version") or "")) if isinstance(data, dict) else None
    return client, server


def parse_kind_version(stdout: str) -> Version | None:
    """``kind version``: ``kind v0.30.0 go1.24.6 linux/amd64``."""
    match = re.match(r"\s*kind\s+(v\S+)", stdout)
    return _semver(match[1]) if match else None


def parse_kubectl_version(stdout: str) -> Version | None:
    """``kubectl version --client -o json``: ``{"clientVersion": {"gitVersion": "v1.34.1", ...}}``."""
    try:
        data = json.loads(stdout)
    except json.JSONDecodeError:
        return None
    git_version = (data.get("clientVersion") or {}).get("gitVersion", "") if isinstance(data, dict) else ""
    return _semver(git_version)


def parse_istioctl_version(stdout: str) -> Version | None:
    """``istioctl version --remote=false``: ``client version: 1.30.5`` (older releases print ``1.30.5``)."""
    for line in stdout.splitlines():
        match = re.fullmatch(r"\s*(?:client version:\s*)?(\d+\.\d+\.\d+)\S*\s*", line)
        if match:
            return _semver(match[1])
    return None


@dataclass(frozen=True)
class ToolReport:
    name: str
    path: str | None
    version: Version | None
    problem: str | None = None

_PROBES = {
    "docker": (["docker", "version", "--format", "{{json .}}"], None),
    "kind": (["kind", "version"], parse_kind_version),
    "kubectl": (["kubectl", "version", "--client", "-o", "json"], parse_kubectl_version),
    "istioctl": (["istioctl", "version", "--remote=false"], parse_istioctl_version),
}


def _check_tool(runner: CommandRunner, name: str) -> ToolReport:
    path = runner.which(name)
    if path is None:
        return ToolReport(name, None, None, f"{name} is not installed (not found on PATH)")
    argv, parse = _PROBES[name]
    done = runner.run(argv, timeout=30)
    if name == "docker":
        client, server = parse_docker_version(done.stdout)
        if server is None:
            reason = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "no server version"
            return ToolReport(name, path, client, f"docker daemon is not reachable: {reason}")
        version = server
    else:
        version = parse(done.stdout) if done.ok else None
        if version is None:
            return ToolReport(name, path, None, f"cannot read the version of {name}: {done.summary() if not done.ok else 'unexpected output'}")
    if name == "istioctl":
        wanted = tuple(int(x) for x in pins.ISTIO_VERSION.split("."))
        if version[:2] != wanted[:2]:
            return ToolReport(name, path, version, f"istioctl {'.'.join(map(str, version))} found; the labs pin Istio {pins.ISTIO_VERSION} (install istioctl {pins.ISTIO_VERSION}: {pins.ISTIOCTL_URL})")
        return ToolReport(name, path, version)
    minimum = pins.MINIMUM_VERSIONS[name]
    if version < minimum:
        return ToolReport(name, path, version, f"{name} {'.'.join(map(str, version))} is too old; need {'.'.join(map(str, minimum))} or newer")
    return ToolReport(name, path, version)


def preflight(runner: CommandRunner) -> list[ToolReport]:
    """Check docker, kind, kubectl and istioctl; raise :class:`PreflightError` naming every problem."""
    reports = [_check_tool(runner, name) for name in ("docker", "kind", "kubectl", "istioctl")]
    problems = [r.problem for r in reports if r.problem]
    if problems:
        raise PreflightError("; ".join(problems))
    return reports
