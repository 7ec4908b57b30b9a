"""Durations: one parser (Go's time.ParseDuration grammar, as protobuf JSON and Istio accept them)
and the three ways the project writes one.

- :func:`format_seconds`: the ``route`` JSON contract (``"0.1s"``, ``"10s"``), seconds with ``s``;
- :func:`format_envoy`: Envoy's JSON duration (``"1.5s"``, up to nanoseconds);
- :func:`format_human`: check lines and messages (``"100ms"``, ``"10s"``).
"""

from __future__ import annotations

import re
from fractions import Fraction
from functools import lru_cache

# Go's time.ParseDuration grammar: an optional sign, then number+unit pairs, or a bare "0".
# (The project's own fixed patterns use Python's re: fast, and never fed user regexes.)
_DURATION = re.compile(r"[-+]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ns|us|µs|μs|ms|s|m|h))+|[-+]?0")
_DURATION_PART = re.compile(r"([0-9]*\.?[0-9]*)(ns|us|µs|μs|ms|s|m|h)")
_UNIT_NANOS = {"ns": 1, "us": 10**3, "µs": 10**3, "μs": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}
NANOS_PER_SECOND = 10**9
MILLISECOND = 10**6


# Istio reads google.protobuf.Duration with golang/protobuf's jsonpb, which calls Go's
# time.ParseDuration: the value must fit int64 nanoseconds (about 292 years), else
# `bad Duration: time: invalid duration "..."`.
GO_DURATION_MAX_NANOS = 2**63 - 1
# Envoy refuses a Duration of 9,223,372,036 seconds or more anywhere in its configuration
# ("Invalid duration: Duration out-of-range"); 9,223,372,035.999999999s is accepted (replayed on
# Envoy 1.40.0, envoy --mode validate, route timeout). Go's maximum lies just above it.
ENVOY_DURATION_MAX_SECONDS = 9_223_372_035
# A number part longer than this is out of every range whatever its unit: it is not converted
# exactly (Python refuses int() of more than 4,300 digits), only clamped to 10**this.
_MAX_EXACT_DIGITS = 40


@lru_cache(maxsize=4096)
def duration_nanos(text: str) -> int | None:
    """Nanoseconds in a Go/protobuf duration string, or None when it is not one.

    Exact, except that a number with more than 40 integer digits counts as 10**40 of its unit
    (far beyond any range) and fraction digits beyond the 40th are dropped.
    """
    if not isinstance(text, str) or not _DURATION.fullmatch(text):
        return None
    sign = -1 if text.startswith("-") else 1
    body = text.lstrip("+-")
    if body == "0":
        return 0
    total = Fraction(0)
    for number, unit in _DURATION_PART.findall(body):
        whole, _, fraction = number.partition(".")
        whole = whole.lstrip("0")
        if len(whole) > _MAX_EXACT_DIGITS:
            whole, fraction = "1" + "0" * _MAX_EXACT_DIGITS, ""
        total += Fraction(f"{whole or 0}.{fraction[:_MAX_EXACT_DIGITS] or 0}") * _UNIT_NANOS[unit]
    return sign * int(total)


def duration_range_error(nanos: int) -> str | None:
    """Why a duration Istio or Envoy cannot hold is refused, or None."""
    if not -GO_DURATION_MAX_NANOS - 1 <= nanos <= GO_DURATION_MAX_NANOS:
        return "out of range: Istio reads durations with Go's time.ParseDuration, which holds at most 2562047h47m16.854775807s"
    if abs(nanos) // 10**9 > ENVOY_DURATION_MAX_SECONDS:
        return f"out of range: Envoy refuses durations of {ENVOY_DURATION_MAX_SECONDS + 1}s or more"
    return None


def seconds(value: object) -> float | None:
    """A duration string (``"1.5s"``, ``"100ms"``, ``"1m30s"``, surrounding blanks ignored) as
    seconds; None for anything else, numbers included (Istio's fields are strings)."""
    nanos = duration_nanos(value.strip()) if isinstance(value, str) else None
    return None if nanos is None else nanos / NANOS_PER_SECOND


def format_seconds(secs: float | None) -> str | None:
    """The ``route`` JSON form: seconds with an ``s`` suffix, to the microsecond (``"0.1s"``, ``"10s"``),
    never in exponent form (``"1e+06s"`` is no duration: :func:`seconds` and Envoy refuse it)."""
    if secs is None:
        return None
    text = f"{round(secs, 6):.6f}".rstrip("0").rstrip(".")
    return f"{'0' if text in ('', '-0') else text}s"


def normalize(value: object) -> str | None:
    """Any duration :func:`seconds` reads, in the ``route`` JSON form; None when it is not one."""
    return format_seconds(seconds(value))


def format_envoy(secs: float | None) -> str | None:
    """Envoy's JSON duration: ``"1.5s"``, ``"0.1s"`` (nanosecond precision, trailing zeros dropped)."""
    if secs is None:
        return None
    text = f"{secs:.9f}".rstrip("0").rstrip(".")
    return f"{text}s"


def format_human(secs: float | None) -> str:
    """How check lines and messages write a duration: ``"250ms"`` below a second, else ``"1.5s"``; ``"none"``."""
    if secs is None:
        return "none"
    if secs and secs < 1:
        return f"{round(secs * 1000)}ms"
    return f"{secs:g}s"
