"""The parties of an authorization question: the target workload and the caller."""

from __future__ import annotations

from dataclasses import dataclass, field

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
