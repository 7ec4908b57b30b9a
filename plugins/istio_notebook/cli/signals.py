"""SIGINT, SIGTERM and SIGHUP end a command the way Ctrl-C does: every ``with`` block unwinds.

Unwinding is what stops Envoy process groups (envoy/runner.py) and removes temporary
directories, certificates and private keys first (envoy/replay.py, envoy/authz_replay.py): the
default SIGTERM/SIGHUP action kills the interpreter without running any of it, leaving CA and
workload keys in $TMPDIR. Once the first signal arrived, further ones are ignored, so a second
Ctrl-C cannot interrupt the cleanup half-way (nor print a traceback from an atexit hook); the
command then exits with 128 + the signal number, as a shell reports a signal.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

SIGNALS = tuple(s for s in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s is not None)


class Interrupted(KeyboardInterrupt):
    """Raised in the main thread by the first of SIGNALS."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


def _ignore_further_signals() -> None:
    for sig in SIGNALS:
        signal.signal(sig, signal.SIG_IGN)


_arrived: list[int] = []  # the signal that interrupted this process, once one did


def _on_signal(signum: int, frame: object) -> None:
    _ignore_further_signals()
    _arrived.append(signum)
    raise Interrupted(signum)


def unwind_on_signals() -> Callable[[], None]:
    """From now on the signals raise :class:`Interrupted` in the main thread (the MkDocs plugin
    calls this for a whole build: no single ``with`` block spans it). Returns the call that puts
    the previous handlers back; once a signal arrived they stay ignored instead (cleanup and
    atexit hooks run undisturbed). Outside the main thread (tests, embedding) nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = {sig: signal.signal(sig, _on_signal) for sig in SIGNALS}

    def restore() -> None:
        if not _arrived:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    return restore


@contextmanager
def signals_unwind() -> Iterator[None]:
    """Within the block the signals raise :class:`Interrupted`; outside it they are as before
    (see :func:`unwind_on_signals`)."""
    restore = unwind_on_signals()
    try:
        yield
    finally:
        restore()  # a KeyboardInterrupt raised by code, not by a signal, restores them too
