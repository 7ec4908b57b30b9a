"""Percentages: Istio's ``Percent`` message, Envoy's ``FractionalPercent``, and ``25%`` as checks write it.

Istio turns a percentage into a FractionalPercent over a million (istio/istio
pilot/pkg/networking/core/route/route.go translatePercentToFractionalPercent); Envoy reports
fractions over a hundred, ten thousand or a million.
"""

from __future__ import annotations

MILLION = 1_000_000
_DENOMINATORS = {"HUNDRED": 100, "TEN_THOUSAND": 10_000, "MILLION": MILLION}


def istio_percent(spec: object, default: float) -> float:
    """Istio's ``Percent`` (``{value: 50}``) as a float; ``default`` when absent or not a number."""
    value = spec.get("value") if isinstance(spec, dict) else None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return default


def to_fractional(percent: float) -> dict:
    """A percentage as the FractionalPercent Istio writes (over a million).

    translatePercentToFractionalPercent writes ``uint32(p.Value * 10000)``: Go's conversion
    truncates, so 2/3 of a hundred (66.666…%) is 666666, not 666667."""
    return {"numerator": max(int(percent * 10000), 0), "denominator": "MILLION"}


def as_loaded(percent: float) -> float:
    """The percentage Envoy holds once Istio has written ``percent`` as a FractionalPercent."""
    return from_fractional(to_fractional(percent))


def from_fractional(fraction: dict | None) -> float:
    """Envoy's FractionalPercent (any denominator) as a percentage; 0 when absent."""
    if not fraction:
        return 0.0
    denominator = _DENOMINATORS[fraction.get("denominator", "HUNDRED")]
    return round(100.0 * int(fraction.get("numerator", 0)) / denominator, 4)


def percent_value(value: object, default: float | None = None) -> float | None:
    """A percentage as an outcome or a check states it: ``100``, ``"100%"``, ``{"value": 100}``;
    ``default`` for None. Raises ValueError (or TypeError) for anything else."""
    if value is None:
        return default
    if isinstance(value, dict):
        return percent_value(value.get("value"), default)
    if isinstance(value, str):
        value = value.strip().rstrip("%")
    return float(value)  # type: ignore[arg-type]


def parse_percent(token: str) -> float:
    """``25%`` → 25.0; ValueError for a word without ``%``."""
    if not token.endswith("%"):
        raise ValueError(f"{token!r} is not a percentage (write e.g. 25%)")
    return float(token[:-1])


def format_percent(value: float | None) -> str:
    return "?" if value is None else f"{value:g}%"
