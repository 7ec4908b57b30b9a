"""IST0134: a ServiceEntry with TCP (or protocol-less) ports needs addresses.

As istioctl's ``serviceentry.ProtocolAddressesAnalyzer`` (serviceentry/protocoladdresses.go):
no ``addresses`` and none allocated in ``status.addresses`` ⇒ one message per port whose
protocol is empty or TCP (case-insensitive). DNS auto-allocation in MeshConfig is not read here.
"""

from __future__ import annotations

from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.util import as_list, as_str, enumerate_dicts
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="serviceentry.Analyzer",
    description="Checks that ServiceEntries with TCP or protocol-less ports have addresses",
    inputs=("ServiceEntry",),
)


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    for entry in ctx.of_kind("ServiceEntry"):
        if as_list(entry.get("spec", "addresses")) or as_list(entry.get("status", "addresses")):
            continue
        for i, port in enumerate_dicts(entry.get("spec", "ports")):
            protocol = as_str(port.get("protocol"))
            if protocol == "" or protocol.upper() == "TCP":
                yield messages.service_entry_addresses_required(entry, ("spec", "ports", i))
