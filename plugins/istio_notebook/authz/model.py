"""The parties of an authorization question (the target workload and the caller) and its answer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from istio_notebook.config.labels import LabelError, parse_workload
from istio_notebook.routing.request import RequestError


@dataclass(frozen=True)
class Workload:
    namespace: str
    labels: dict[str, str] = field(default_factory=dict, hash=False)

    @classmethod
    def parse(cls, text: str) -> "Workload":
        """`ns/k=v,k2=v2` (or `ns`)."""
        try:
            namespace, labels = parse_workload(text, "--to")
        except LabelError as error:
            raise RequestError(str(error)) from None
        return cls(namespace, labels)


@dataclass(frozen=True)
class Source:
    """The caller. `principal` is the peer identity (`cluster.local/ns/NS/sa/SA`), known only over mTLS."""

    principal: str | None = None
    namespace: str | None = None
    ip: str | None = None
    mtls: bool = True
    claims: dict = field(default_factory=dict, hash=False)

    @property
    def peer_namespace(self) -> str | None:
        """The namespace in the principal (`.../ns/<ns>/sa/...`), else the one given."""
        if self.principal:
            parts = self.principal.split("/")
            if "ns" in parts and parts.index("ns") + 1 < len(parts):
                return parts[parts.index("ns") + 1]
        return self.namespace


# The decision on a request Envoy's HTTP connection manager answers itself (400 or 431) before
# any filter, RBAC included: a new value of the contract's "decision" (docs/reference/cli.md).
REJECTED = "REJECTED"


@dataclass
class AuthzDecision:
    """The answer of both engines (the evaluator and the Envoy replay) and its only ``to_json``."""

    # ALLOW | DENY | REJECTED (Envoy's connection manager answered the request itself, 400/431,
    # before any filter: routing/wire.py); None: the Envoy replay could not decide (see ``envoy``).
    decision: str | None
    policy: str | None = None  # ns/name of the deciding AuthorizationPolicy
    action: str | None = None  # its action
    rule_index: int | None = None
    trace: list[str] = field(default_factory=list)
    envoy: Mapping[str, Any] | None = None  # Envoy replay only: what was observed (status, details, ...)

    def to_json(self) -> dict[str, Any]:
        out = {"decision": self.decision, "policy": self.policy, "action": self.action,
               "rule_index": self.rule_index, "trace": self.trace}
        if self.envoy is not None:
            out["envoy"] = dict(self.envoy)
        return out
