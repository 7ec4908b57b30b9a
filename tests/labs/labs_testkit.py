"""Fakes for the kind backend: a command runner that records the plan, a clock that never sleeps.

A module with its own name (not ``conftest``): every test folder has a conftest, and
``from conftest import ...`` picks whichever one was imported first.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from istio_notebook.labs.runner import Completed

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parents[2]


def sample(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


Answer = Completed | Callable[[tuple[str, ...], str | None], Completed]


class FakeRunner:
    """Answers commands by the longest matching argv prefix (words may be "*", later rules win ties); records every call."""

    def __init__(self, tools: tuple[str, ...] = ("docker", "kind", "kubectl", "istioctl")):
        self.calls: list[tuple[tuple[str, ...], str | None]] = []
        self.rules: list[tuple[tuple[str, ...], Answer]] = []
        self.tools = set(tools)

    def on(self, *prefix: str, stdout: str = "", stderr: str = "", returncode: int = 0, answer: Answer | None = None) -> "FakeRunner":
        self.rules.append((prefix, answer if answer is not None else (lambda argv, _input: Completed(argv, returncode, stdout, stderr))))
        return self

    def run(self, argv, *, timeout: float, input: str | None = None) -> Completed:
        argv = tuple(argv)
        assert timeout > 0, "every command must be bounded"
        self.calls.append((argv, input))
        best = None
        for prefix, answer in self.rules:
            if len(prefix) <= len(argv) and all(p == "*" or p == a for p, a in zip(prefix, argv)):
                if best is None or len(prefix) >= len(best[0]):  # later rules override earlier ones
                    best = (prefix, answer)
        if best is None:
            return Completed(argv, 0, "", "")
        answer = best[1]
        return answer(argv, input) if callable(answer) else answer

    def which(self, name: str) -> str | None:
        return f"/usr/local/bin/{name}" if name in self.tools else None

    def commands(self) -> list[str]:
        return [" ".join(argv) for argv, _ in self.calls]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def healthy_tools(runner: FakeRunner) -> FakeRunner:
    """Answers for a machine where preflight passes (captured version outputs)."""
    return (
        runner.on("docker", "version", stdout=sample("docker-version.json"))
        .on("kind", "version", stdout=sample("kind-version.txt"))
        .on("kubectl", "version", stdout=sample("kubectl-version.json"))
        .on("istioctl", "version", stdout=sample("istioctl-version.txt"))
    )
