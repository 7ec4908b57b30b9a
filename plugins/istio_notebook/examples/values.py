"""Reading the values that outcomes and expectation lines both state: durations, percents, hosts.

Durations and percentages have their one home in ``config.durations`` and ``config.percent``;
this module adds what checks need on top (numbers and protobuf durations read back from Envoy).
"""

from __future__ import annotations

from istio_notebook.config.durations import seconds


def duration_seconds(value: object) -> float | None:
    """'10s' / '1.5s' / '250ms' (config.durations) / 10 / {'seconds': 10, 'nanos': 0} → seconds; None stays None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dict):
        return float(value.get("seconds", 0)) + float(value.get("nanos", 0)) / 1e9
    found = seconds(str(value))
    if found is None:
        raise ValueError(f"not a duration: {value!r} (write e.g. 10s, 1.5s or 250ms)")
    return found


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
