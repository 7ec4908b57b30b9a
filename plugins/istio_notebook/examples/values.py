"""Normalising the values that outcomes and expectation lines both state: durations, percents, hosts."""

from __future__ import annotations

import re

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h)$")
_UNIT = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def duration_seconds(value: object) -> float | None:
    """'10s' / '1.5s' / '250ms' / 10 / {'seconds': 10, 'nanos': 0} → seconds; None stays None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dict):
        return float(value.get("seconds", 0)) + float(value.get("nanos", 0)) / 1e9
    match = _DURATION.match(str(value).strip())
    if not match:
        raise ValueError(f"not a duration: {value!r} (write e.g. 10s, 1.5s or 250ms)")
    return float(match[1]) * _UNIT[match[2]]


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "none"
    if seconds and seconds < 1:
        return f"{round(seconds * 1000)}ms"
    return f"{seconds:g}s"


def percent(value: object, default: float | None = None) -> float | None:
    """100 / 100.0 / '100%' / {'value': 100} → 100.0."""
    if value is None:
        return default
    if isinstance(value, dict):
        return percent(value.get("value"), default)
    if isinstance(value, str):
        value = value.strip().rstrip("%")
    return float(value)  # type: ignore[arg-type]


def parse_percent(token: str) -> float:
    if not token.endswith("%"):
        raise ValueError(f"{token!r} is not a percentage (write e.g. 25%)")
    return float(token[:-1])


def format_percent(value: float | None) -> str:
    return "?" if value is None else f"{value:g}%"


def host_matches(expected: str, actual: str | None) -> bool:
    """A short name (``reviews``, ``reviews.default``) matches its FQDN; an FQDN matches itself."""
    if actual is None:
        return False
    expected, actual = expected.lower(), actual.lower()
    return actual == expected or actual.startswith(expected + ".")


def short_host(actual: str, like: str) -> str:
    """Name ``actual`` the way the writer named the expected host (short name when they did)."""
    if not like:
        return actual.removesuffix(".svc.cluster.local")
    if "." in like or not actual.endswith(".svc.cluster.local"):
        depth = like.count(".") + 1
        labels = actual.split(".")
        return ".".join(labels[:depth]) if actual.endswith(".svc.cluster.local") and depth < len(labels) else actual
    return actual.split(".", 1)[0]
