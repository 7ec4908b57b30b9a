"""Protobuf durations as Istio writes them ("10s", "1.5s", "100ms", "1m", "1h") ↔ seconds."""

from __future__ import annotations

import re

_UNIT = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}


def seconds(value: object) -> float | None:
    if not isinstance(value, str):
        return None
    total, rest = 0.0, value.strip()
    if not rest:
        return None
    # Go-style compound durations ("1m30s") are accepted as well.
    for number, unit in re.findall(r"(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)", rest):
        total += float(number) * _UNIT[unit]
    if re.sub(r"(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)", "", rest):
        return None
    return total


def format_duration(value: object) -> str | None:
    """Canonical form used in every outcome: seconds with an `s` suffix ("0.1s", "10s")."""
    secs = seconds(value)
    if secs is None:
        return None
    return f"{round(secs, 6):g}s"
