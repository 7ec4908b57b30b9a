"""``istioctl proxy-status`` read into rows: which proxies are connected to istiod (the kind backend waits for them)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProxyStatus:
    pod: str
    namespace: str
    version: str


def parse_proxy_status(stdout: str) -> list[ProxyStatus]:
    """``istioctl proxy-status`` rows (``NAME`` is ``pod.namespace``; 1.2x+ and older column sets)."""
    lines = [line for line in stdout.splitlines() if line.strip()]
    if not lines or not lines[0].startswith("NAME"):
        return []
    subscribed_format = "SUBSCRIBED" in lines[0].split()
    rows = []
    for line in lines[1:]:
        cells = line.split()
        pod, _, namespace = cells[0].rpartition(".")
        # 1.2x+: "... ISTIOD VERSION SUBSCRIBED TYPES" where the last column is "4 (CDS,LDS,EDS,RDS)";
        # older: "... CDS LDS EDS RDS ECDS ISTIOD VERSION" where states like "NOT SENT" are two words.
        version = cells[-3] if subscribed_format and len(cells) >= 3 else cells[-1]
        rows.append(ProxyStatus(pod, namespace, version))
    return rows
