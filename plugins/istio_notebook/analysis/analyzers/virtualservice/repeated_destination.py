"""INB2003 (Kiali KIA1105): one route lists the same host and subset twice.

The weights of the two entries add up for one cluster; usually a copy-paste slip where a
different subset was meant.
"""

from __future__ import annotations

from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.util import as_dict, as_str, enumerate_dicts
from istio_notebook.config.hosts import fqdn
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="virtualservice.RepeatedDestinationAnalyzer",
    description="Flags a route that lists the same host and subset twice (Kiali KIA1105)",
    inputs=("VirtualService",),
)


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    for vs in ctx.of_kind("VirtualService"):
        for section in ("http", "tcp", "tls"):
            for i, rule in enumerate_dicts(vs.get("spec", section)):
                seen: dict[tuple[str, str], int] = {}
                for j, route in enumerate_dicts(rule.get("route")):
                    destination = as_dict(route.get("destination"))
                    host, subset = as_str(destination.get("host")), as_str(destination.get("subset"))
                    if not host:
                        continue
                    key = (fqdn(host, vs.namespace), subset)
                    if key in seen:
                        path = ("spec", section, i, "route", j, "destination", "subset" if subset else "host")
                        yield messages.repeated_destination(vs, path, host, subset, seen[key])
                    else:
                        seen[key] = j
