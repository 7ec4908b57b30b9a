"""Run one real Envoy on loopback for one scenario: start, wait until ready, always reap.

``EnvoyProcess(bootstrap)`` is a context manager. Ports are chosen at run time by the kernel:
the admin and every listener bind port 0 on 127.0.0.1 and the real ports are read back from the
admin API (``admin_address_path`` and ``/listeners``), so two runs never race for a port.
Envoy runs in its own process group; on exit (normal, failure, Ctrl-C) the whole group gets
SIGTERM, then SIGKILL after a bounded wait. If this process is killed outright (SIGKILL, OOM
killer, a CI timeout), Linux's parent-death signal kills Envoy too (util-linux ``setpriv``).
Every wait has a deadline. When the block fails, the Envoy log and bootstrap are kept in a
directory whose path the error names; with
$ISTIO_NOTEBOOK_ENVOY_LOGS set to a directory, every run's log and bootstrap are kept there.
"""

from __future__ import annotations

import atexit
import errno
import json
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from istio_notebook.envoy.binary import envoy_path
from istio_notebook.envoy.tempdirs import GuardedDir, pdeath_launcher

READY_TIMEOUT = 15.0
STOP_TIMEOUT = 5.0
KEEP_LOGS_ENV = "ISTIO_NOTEBOOK_ENVOY_LOGS"  # a directory: keep every Envoy's log and config there (CI)
_LIVE: set[int] = set()  # process group ids still running; reaped at interpreter exit too


class EnvoyError(RuntimeError):
    """Envoy did not start, did not become ready, or rejected its configuration.

    ``rejection``: Envoy's reason when it refused its configuration at start, else None;
    ``position``: where in the input that configuration came from, when a caller found it
    (envoy/blame.py)."""

    rejection: str | None = None
    position: object = None


# What --admin-address-path receives: "127.0.0.1:PORT" (or "[::1]:PORT").
_ADMIN_ADDRESS = re.compile(r"\S+:([0-9]{1,5})")
# Envoy's last word when it refuses its bootstrap at start (run mode): "error `REASON` initializing config '...'".
_START_REJECTION = re.compile(r"\[critical\]\[main\] \[[^\]]*\] error `(.*?)` initializing config", re.S)


def start_rejection(log_text: str) -> str | None:
    """Why Envoy refused its configuration at start, on one line; None when it did not."""
    found = _START_REJECTION.findall(log_text)
    return " ".join(found[-1].split()) if found else None


def _reap_all() -> None:
    for pgid in list(_LIVE):
        _kill_group(pgid, signal.SIGKILL)
    _LIVE.clear()


atexit.register(_reap_all)


def _kill_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _launcher() -> list[str]:
    """The command prefix that makes Envoy die with this process (setpriv execs Envoy, so the pid
    stays Envoy's). Without it atexit and the signal handlers still reap Envoy on every exit
    except SIGKILL of this process; its work directory goes with a GuardedDir's watcher."""
    return pdeath_launcher("KILL")


def localize(bootstrap: dict) -> dict:
    """A copy of ``bootstrap`` that can run here: every listener on 127.0.0.1 port 0.

    Listener names keep Istio's (``0.0.0.0_8080``) so they can be found again.
    """
    # Only the listeners' addresses change: a copy of those dicts, the rest shared (a deep copy
    # of 5,000 services' configuration took seconds).
    copy = dict(bootstrap)
    if "listeners" in bootstrap.get("static_resources", {}):
        resources = copy["static_resources"] = dict(bootstrap["static_resources"])
        resources["listeners"] = [_on_loopback(listener) for listener in resources["listeners"]]
    return copy


def _on_loopback(listener: dict) -> dict:
    moved = {key: value for key, value in listener.items() if key != "bind_to_port"}
    moved["address"] = {"socket_address": {"address": "127.0.0.1", "port_value": 0}}
    return moved


class EnvoyProcess:
    """A running Envoy. Use as ``with EnvoyProcess(bootstrap) as envoy: envoy.listener_port(name)``."""

    def __init__(
        self,
        bootstrap: dict,
        *,
        log_level: str = "warning",
        ready_timeout: float = READY_TIMEOUT,
        keep_logs_in: str | os.PathLike | None = None,
        concurrency: int = 1,
        file_flush_ms: int | None = None,  # access logs read while Envoy runs: flush them this often
    ):
        self.bootstrap = bootstrap
        self.file_flush_ms = file_flush_ms
        self.log_level = log_level
        self.ready_timeout = ready_timeout
        keep = keep_logs_in or os.environ.get(KEEP_LOGS_ENV)
        self.keep_logs_in = Path(keep) if keep else None
        self.keep_always = keep_logs_in is None and bool(os.environ.get(KEEP_LOGS_ENV))
        self.concurrency = concurrency
        self.workdir: Path | None = None
        self._guard: GuardedDir | None = None
        self.process: subprocess.Popen | None = None
        self.admin_port: int | None = None
        self.listener_ports: dict[str, int] = {}
        self.kept_logs: Path | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> EnvoyProcess:
        try:
            self.start()
        except BaseException as error:
            self.stop(failed=not isinstance(error, KeyboardInterrupt))  # interrupted: nothing to keep
            raise
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.stop(failed=exc_type is not None and not issubclass(exc_type, KeyboardInterrupt))

    def start(self) -> None:
        self._guard = GuardedDir("istio-notebook-envoy-")
        self.workdir = self._guard.path
        config = dict(self.bootstrap)
        admin_file = self.workdir / "admin-address"
        config["admin"] = {
            "address": {"socket_address": {"address": "127.0.0.1", "port_value": 0}},
            "access_log": [],
        }
        # No stats: nothing here reads them, and creating each cluster's few hundred stats was
        # two thirds of Envoy's start-up with thousands of clusters (3,338 clusters: 19 s → 6 s).
        config.setdefault("stats_config", {"stats_matcher": {"reject_all": True}})
        config_file = self.workdir / "envoy.json"
        # Compact: json's C encoder is used only without indent (37 MB for 5,000 services took
        # seconds more through the pure-Python one). `python -m json.tool` reads a kept one.
        config_file.write_text(json.dumps(config, separators=(",", ":")))
        self.log_file = self.workdir / "envoy.log"
        binary = str(envoy_path())
        if not os.access(binary, os.X_OK):  # said here: behind setpriv it would only be "exit status 126"
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), binary)
        command = [
            *_launcher(),
            binary,
            "-c", str(config_file),
            "--admin-address-path", str(admin_file),
            "--disable-hot-restart",  # no shared memory: many Envoys may run side by side
            "--concurrency", str(self.concurrency),
            "--log-level", self.log_level,
            "--log-path", str(self.log_file),
            *(["--file-flush-interval-msec", str(self.file_flush_ms)] if self.file_flush_ms else []),
        ]
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: we can signal Envoy and any child
            cwd=self.workdir,
        )
        _LIVE.add(self.process.pid)
        deadline = time.monotonic() + self.ready_timeout
        self.admin_port = self._wait_admin(admin_file, deadline)
        self._wait_ready(deadline)
        self.listener_ports = self._read_listener_ports(deadline)

    def stop(self, *, failed: bool = False) -> None:
        process = self.process
        if process is not None:
            if process.poll() is None:
                # A clean stop needs nothing from Envoy: SIGKILL ends it at once, where its own
                # shutdown of thousands of clusters took seconds. SIGTERM flushes a kept log.
                keep = failed or self.keep_always
                _kill_group(process.pid, signal.SIGTERM if keep else signal.SIGKILL)
                try:
                    process.wait(timeout=STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    _kill_group(process.pid, signal.SIGKILL)
                    process.wait(timeout=STOP_TIMEOUT)
            else:
                _kill_group(process.pid, signal.SIGKILL)  # stray children of a dead Envoy
            _LIVE.discard(process.pid)
            self.process = None
        if self.workdir is not None and self.workdir.exists():
            assert self._guard is not None
            if failed or self.keep_always:
                self._guard.disarm()
                self.kept_logs = self._keep_logs()
                self.workdir = None  # kept: a later stop() (a caller's cleanup) must not delete it
            else:
                self._guard.remove()

    def _keep_logs(self) -> Path:
        assert self.workdir is not None
        if self.keep_logs_in is None:
            return self.workdir  # left in place; the path is reported
        self.keep_logs_in.mkdir(parents=True, exist_ok=True)
        target = self.keep_logs_in / self.workdir.name
        shutil.move(str(self.workdir), target)
        return target

    # -- readiness -----------------------------------------------------------------------------

    def _fail(self, why: str) -> EnvoyError:
        tail, log_text = "", ""
        try:
            log_text = self.log_file.read_text(errors="replace")
            lines = log_text.splitlines()
            errors = [line for line in lines if "[critical]" in line or "[error]" in line]
            tail = (errors or lines)[-1].strip() if (errors or lines) else ""
        except OSError:
            pass
        rejection = start_rejection(log_text)
        if rejection is not None:
            tail = f"it refused the configuration: {rejection}"
        # Where the log will be once stop(failed=True) has kept it (moved under keep_logs_in, if set).
        kept = self.keep_logs_in / self.workdir.name if self.workdir and self.keep_logs_in else self.workdir
        where = f" (log kept in {kept})" if kept else ""
        error = EnvoyError(f"{why}{': ' + tail if tail else ''}{where}")
        error.rejection = rejection
        return error

    def _check_alive(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            raise self._fail(f"envoy exited with status {self.process.returncode}")

    def _wait_admin(self, admin_file: Path, deadline: float) -> int:
        while time.monotonic() < deadline:
            self._check_alive()
            text = admin_file.read_text(errors="replace") if admin_file.exists() else ""
            address = _ADMIN_ADDRESS.fullmatch(text.strip())
            if address:
                return int(address.group(1))
            if text.endswith("\n"):  # a whole line that is no address: not Envoy's admin file
                raise self._fail(f"envoy wrote an admin address that is not host:port: {text.strip()[:80]!r}")
            time.sleep(0.01)
        raise self._fail(f"envoy admin did not come up within {self.ready_timeout:.0f}s")

    def admin(self, path: str, timeout: float = 2.0) -> str:
        url = f"http://127.0.0.1:{self.admin_port}{path}"
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.read().decode()

    def _wait_ready(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                if self.admin("/ready", timeout=1.0).strip() == "LIVE":
                    return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.01)
        raise self._fail(f"envoy not ready within {self.ready_timeout:.0f}s")

    def _read_listener_ports(self, deadline: float) -> dict[str, int]:
        expected = {
            listener.get("name") for listener in self.bootstrap.get("static_resources", {}).get("listeners", [])
        }
        while True:
            data = json.loads(self.admin("/listeners?format=json"))
            ports = {}
            for status in data.get("listener_statuses", []):
                socket = status.get("local_address", {}).get("socket_address", {})
                if socket.get("port_value"):
                    ports[status["name"]] = int(socket["port_value"])
            if expected <= set(ports) or time.monotonic() > deadline:
                missing = expected - set(ports)
                if missing:
                    raise self._fail(f"listeners not bound: {', '.join(sorted(missing))}")
                return ports
            time.sleep(0.01)

    def listener_port(self, name: str) -> int:
        return self.listener_ports[name]

def validate(bootstrap: dict, timeout: float = 60.0) -> tuple[bool, str]:
    """Run ``envoy --mode validate`` on the config; return (accepted, Envoy's message)."""
    guard = GuardedDir("istio-notebook-validate-")
    try:
        path = guard.path / "envoy.json"
        path.write_text(json.dumps(bootstrap))
        result = subprocess.run(
            [*_launcher(), str(envoy_path()), "--mode", "validate", "-c", str(path), "--disable-hot-restart",
             "--log-level", "error"],
            capture_output=True, text=True, timeout=timeout, check=False,
            start_new_session=True,
        )
    finally:
        guard.remove()
    output = (result.stdout + result.stderr).strip()
    return result.returncode == 0, output


# "[2026-11-26 01:25:34.701][22116][critical][main] [source/server/config_validation/server.cc:76] "
_LOG_PREFIX = re.compile(r"^(?:\[[^\]]*\])+\s*(?:\[[^\]]*\]\s*)?")
# "error initializing configuration '/tmp/istio-notebook-validate-x/envoy.json': " names our temporary file
_TEMP_CONFIG = re.compile(r" '[^']*istio-notebook-[^']*\.json'")


def rejection_reason(message: str) -> str:
    """Envoy's whole reason: its last log entry, with the lines that continue it (a protobuf
    debug string such as ``seconds: 9223372036`` after "Duration out-of-range"), on one line,
    without the log prefix and the temporary file's path."""
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    if not lines:
        return "no message"
    starts = [i for i, line in enumerate(lines) if line.startswith("[") and _LOG_PREFIX.match(line)]
    entry = lines[starts[-1]:] if starts else lines[-1:]
    return _TEMP_CONFIG.sub("", " ".join([_LOG_PREFIX.sub("", entry[0]).strip(), *entry[1:]]))


def rejection(proxy: object, message: str, position=None):
    """INB5001 for a configuration Envoy refused (``message``: Envoy's output; its last line is the reason)."""
    from istio_notebook.diagnostics import Position, report
    from istio_notebook.envoy.binary import envoy_version

    return report("INB5001", position or Position(""), version=envoy_version(), proxy=str(proxy), detail=rejection_reason(message))
