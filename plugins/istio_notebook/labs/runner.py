"""Every external command of the kind backend goes through one small interface.

``CommandRunner.run(argv, timeout=..., input=...)`` takes an argv list (never a shell
string), always has a timeout, and returns the captured output. Tests replace it with a fake
that records the plan and answers from captured real outputs; nothing else in the backend
calls ``subprocess``.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from typing import Protocol, Sequence


@dataclass(frozen=True)
class Completed:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def summary(self) -> str:
        """One line for error messages: the command and the last line it printed."""
        tail = (self.stderr.strip() or self.stdout.strip()).splitlines()
        last = tail[-1] if tail else f"exit status {self.returncode}"
        return f"`{' '.join(self.argv)}` failed: {last}"


class CommandFailed(RuntimeError):
    """A command the backend depends on failed; the message is one line."""

    def __init__(self, completed: Completed):
        super().__init__(completed.summary())
        self.completed = completed


class CommandRunner(Protocol):
    def run(self, argv: Sequence[str], *, timeout: float, input: str | None = None) -> Completed: ...

    def which(self, name: str) -> str | None: ...


class SubprocessRunner:
    """The real runner: no shell, bounded by ``timeout``, output captured as text.

    Each command runs in its own process group (session). On timeout or interruption the whole
    group is killed: ``subprocess.run`` kills only the direct child, and a child of it (kind's
    docker, kubectl's plugins) that keeps the pipes open would make the wait hang. A timeout is
    reported as the cause (exit 124, "timed out after Ns"), whatever the command printed before.
    """

    def run(self, argv: Sequence[str], *, timeout: float, input: str | None = None) -> Completed:
        argv = tuple(argv)
        try:
            process = subprocess.Popen(
                argv, stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
            )
        except OSError as error:
            return Completed(argv, 127, "", f"cannot run {argv[0]}: {error.strerror or error}")
        try:
            out, err = process.communicate(input, timeout=timeout)
        except subprocess.TimeoutExpired:
            out, _ = _kill_group(process)
            return Completed(argv, 124, out, f"timed out after {timeout:g}s")
        except BaseException:
            _kill_group(process)
            raise
        return Completed(argv, process.returncode, out, err)

    def which(self, name: str) -> str | None:
        return shutil.which(name)


def _kill_group(process: subprocess.Popen) -> tuple[str, str]:
    """SIGKILL the command's whole process group; what it printed so far (bounded wait)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        out, err = process.communicate(timeout=5)
    except subprocess.TimeoutExpired:  # a process that left the group still holds the pipes
        process.kill()
        return "", ""
    return out or "", err or ""


def must(completed: Completed) -> Completed:
    """``completed`` when it succeeded, else :class:`CommandFailed`."""
    if not completed.ok:
        raise CommandFailed(completed)
    return completed


class Clock(Protocol):
    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class WaitTimeout(RuntimeError):
    """A bounded wait ran out; the message says what was awaited and the last observation."""


def wait_until(what: str, probe, *, clock: Clock, timeout: float, interval: float = 2.0):
    """Call ``probe()`` until it returns a truthy value or ``timeout`` seconds pass.

    ``probe`` returns ``(value, note)``: the value ends the wait when truthy; the note (the
    last thing observed) goes into the timeout message so the user sees why it never settled.
    """
    deadline = clock.monotonic() + timeout
    note = "no answer yet"
    while True:
        value, note = probe()
        if value:
            return value
        remaining = deadline - clock.monotonic()
        if remaining <= 0:
            raise WaitTimeout(f"gave up waiting for {what} after {timeout:g}s (last: {note})")
        clock.sleep(min(interval, remaining))
