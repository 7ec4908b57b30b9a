"""remote.ip (``remoteIpBlocks``): the trusted client address Envoy's HTTP connection manager derives.

Envoy docs, configuration/http/http_conn_man/headers, x-forwarded-for ("trusted client address",
taken before Envoy appends anything), with N = ``xff_num_trusted_hops``:
- ``use_remote_address: false`` (a sidecar's inbound chain, istio 1.30 listener_builder.go, N = 0):
  the rightmost X-Forwarded-For address, or with N > 0 the (N+1)th from the right;
- ``use_remote_address: true`` (a gateway, gateway.go; N = ``numTrustedProxies``): the peer when
  N = 0 (X-Forwarded-For ignored), else the Nth address from the right.
Without X-Forwarded-For, or with fewer addresses than that, or a pick that is not an IP address,
it is the peer (Envoy's Utility::getLastAddressFromXFF fails and the connection's address stays).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from istio_notebook.config.gateway_topology import TrustedHops


@dataclass(frozen=True)
class ClientAddressRule:
    """How one proxy's HTTP connection manager picks the trusted client address."""

    use_remote_address: bool
    hops: TrustedHops

    @property
    def skipped(self) -> int | None:
        """X-Forwarded-For entries skipped from the right before the pick; None: the peer, always."""
        if not self.use_remote_address:
            return self.hops.count
        return self.hops.count - 1 if self.hops.count > 0 else None


SIDECAR = ClientAddressRule(False, TrustedHops(0))


def remote_ip(forwarded: str | None, peer: str | None, rule: ClientAddressRule) -> str | None:
    skipped = rule.skipped
    if not forwarded or skipped is None:
        return peer
    entries = [e.strip() for e in forwarded.split(",")]
    if len(entries) <= skipped:
        return peer
    pick = entries[len(entries) - 1 - skipped]
    try:
        ipaddress.ip_address(pick)
    except ValueError:
        return peer
    return pick
