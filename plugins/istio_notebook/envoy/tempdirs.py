"""Temporary directories that go even when this process is killed with SIGKILL (issue 13).

SIGINT, SIGTERM and SIGHUP unwind and remove every directory (cli/signals.py); SIGKILL cannot be
caught. So each directory that holds private keys or Envoy's files has a watcher: a shell in its
own session, started through ``setpriv --pdeathsig TERM`` (PR_SET_PDEATHSIG: the kernel sends it
SIGTERM when this process dies), that removes the directory on that signal. Removing the
directory ourselves disarms the watcher first. Where setpriv is missing (not Linux), there is no
watcher and the signal handlers alone clean up.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

# On SIGTERM (our death): stop the sleep, remove the directory, exit. Waiting on a background
# sleep lets the trap run at once.
_WATCH = 'trap \'kill "$!" 2>/dev/null; rm -rf -- "$1"; exit 0\' TERM; while :; do sleep 86400 & wait "$!"; done'


def pdeath_launcher(sig: str) -> list[str]:
    """The command prefix that sends the child ``sig`` when this process dies, where the system
    offers one (``setpriv --pdeathsig``, util-linux, on every Debian system); else []."""
    setpriv = shutil.which("setpriv") if sys.platform.startswith("linux") else None
    return [setpriv, "--pdeathsig", sig, "--"] if setpriv else []


class GuardedDir:
    """A fresh temporary directory (``path``) with its watcher."""

    def __init__(self, prefix: str) -> None:
        self.path = Path(tempfile.mkdtemp(prefix=prefix))
        self._watcher: subprocess.Popen | None = None
        launcher = pdeath_launcher("TERM")
        if launcher:
            self._watcher = subprocess.Popen(
                [*launcher, "sh", "-c", _WATCH, "sh", str(self.path)],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True,  # no terminal signal reaches it; its group is its own
            )

    def disarm(self) -> None:
        """Stop the watcher and leave the directory (kept logs, or removed by the caller)."""
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            try:
                os.killpg(watcher.pid, signal.SIGKILL)  # the shell and its sleep
            except ProcessLookupError:
                pass
            watcher.wait()

    def remove(self) -> None:
        self.disarm()
        shutil.rmtree(self.path, ignore_errors=True)
