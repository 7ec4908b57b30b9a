"""IST0145: two Gateways with the same selector and port declare the same host and bind.

As istioctl's ``gateway.ConflictingGatewayAnalyzer`` (gateway/conflictinggateway.go) with
pilot's ``CheckDuplicates``: servers are grouped by (selector, port); a server conflicts with
another Gateway's server in its group that lists one of its hosts with the same ``bind``.
istioctl also compares selectors that are substrings of each other and share a pod; this
implementation compares identical selectors only. Hosts are indexed, never compared pairwise.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.util import as_dict, as_list, as_str, enumerate_dicts
from istio_notebook.config.labels import format_labels, label_map
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="gateway.ConflictingGatewayAnalyzer",
    description="Checks that Gateways with the same selector and port do not declare the same host",
    inputs=("Gateway",),
)


def _servers(gateway):
    selector = format_labels(label_map(gateway.get("spec", "selector")))
    for i, server in enumerate_dicts(gateway.get("spec", "servers")):
        port = str(as_dict(server.get("port")).get("number", ""))
        hosts = [h for h in as_list(server.get("hosts")) if isinstance(h, str)]
        yield i, selector, port, hosts, as_str(server.get("bind"))


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    gateways = ctx.of_kind("Gateway")
    owners: dict[tuple[str, str, str, str], set[str]] = defaultdict(set)
    for gateway in gateways:
        for _, selector, port, hosts, bind in _servers(gateway):
            for host in hosts:
                owners[(selector, port, host, bind)].add(gateway.key)
    for gateway in gateways:
        for i, selector, port, hosts, bind in _servers(gateway):
            others = set().union(*(owners[(selector, port, h, bind)] for h in hosts)) - {gateway.key} if hosts else set()
            if others:
                yield messages.conflicting_gateways(
                    gateway, ("spec", "servers", i), ",".join(sorted(others)), selector, port, ",".join(hosts)
                )
