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
from collections.abc import Iterator
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


def _on_signal(signum: int, frame: object) -> None:
    _ignore_further_signals()
    raise Interrupted(signum)


@contextmanager
def signals_unwind() -> Iterator[None]:
    """Within the block the signals raise :class:`Interrupted`; outside it they are as before.

    After an interruption they stay ignored until the process exits (cleanup and atexit hooks
    run undisturbed). Outside the main thread (tests, embedding) nothing is changed.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, _on_signal) for sig in SIGNALS}
    interrupted = False
    try:
        yield
    except Interrupted:
        interrupted = True  # _on_signal already ignores the signals from now on
        raise
    finally:
        if not interrupted:  # also a KeyboardInterrupt raised by code, not by a signal
            for sig, handler in previous.items():
                signal.signal(sig, handler)
