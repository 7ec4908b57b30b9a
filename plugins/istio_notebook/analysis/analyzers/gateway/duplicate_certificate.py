"""IST0138: two Gateways that serve the same TLS certificate.

As istioctl's ``gateway.CertificateAnalyzer`` (pkg/config/analysis/analyzers/gateway/
certificate.go, tag 1.30.3): a Gateway is flagged, at ``metadata.name``, for every other Gateway
whose selector is a superset of its own (an empty selector: every Gateway) and that has a server
with the same certificate: the same ``credentialName`` when both set one, or, when neither does,
the same ``serverCertificate`` and the same ``privateKey`` (both set). Ports are not compared
(istioctl does not), and all namespaces are compared (PILOT_SCOPE_GATEWAY_TO_NAMESPACE is off by
default). istioctl prints each message once (SortedDedupedCopy), so one per pair here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.util import as_dict, as_str, enumerate_dicts, go_list
from istio_notebook.config.labels import label_map as string_map
from istio_notebook.config import Resource
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="gateway.CertificateAnalyzer",
    description="Checks that no two Gateways serve the same TLS certificate",
    inputs=("Gateway",),
)


def certificates(gateway: Resource) -> set[tuple[str, ...]]:
    """The certificates the servers of ``gateway`` present, as comparable keys."""
    found: set[tuple[str, ...]] = set()
    for _, server in enumerate_dicts(gateway.get("spec", "servers")):
        if not isinstance(server.get("tls"), dict):
            continue
        tls = as_dict(server.get("tls"))
        credential = as_str(tls.get("credentialName"))
        cert, key = as_str(tls.get("serverCertificate")), as_str(tls.get("privateKey"))
        if credential:
            found.add(("credentialName", credential))
        elif cert and key:
            found.add(("files", cert, key))
    return found


def _selects_superset(current: dict[str, str], other: dict[str, str]) -> bool:
    return all(other.get(key) == value for key, value in current.items())


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    holders: dict[tuple[str, ...], list[Resource]] = defaultdict(list)
    for gateway in ctx.of_kind("Gateway"):
        for certificate in certificates(gateway):
            holders[certificate].append(gateway)
    pairs: dict[tuple[int, int], tuple[Resource, Resource]] = {}
    for sharing in holders.values():
        for current in sharing:
            selector = string_map(current.get("spec", "selector"))
            for other in sharing:
                if other is not current and _selects_superset(selector, string_map(other.get("spec", "selector"))):
                    pairs[(current.order, other.order)] = (current, other)
    for _, (current, other) in sorted(pairs.items(), key=lambda item: item[0]):
        names = go_list([f"{current.namespace}/{current.name}", f"{other.namespace}/{other.name}"])
        yield messages.gateway_duplicate_certificate(current, ("metadata", "name"), names)
