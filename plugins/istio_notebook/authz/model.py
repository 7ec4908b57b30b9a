"""The parties of an authorization question: the target workload and the caller."""

from __future__ import annotations

from dataclasses import dataclass, field

from istio_notebook.routing.request import RequestError


@dataclass(frozen=True)
class Workload:
    namespace: str
    labels: dict[str, str] = field(default_factory=dict, hash=False)

    @classmethod
    def parse(cls, text: str) -> "Workload":
        """`ns/k=v,k2=v2` (or `ns`)."""
        text = (text or "").strip()
        ns, _, rest = text.partition("/")
        if not ns or "=" in ns:
            raise RequestError(f"--to wants NS/key=value,..., got {text!r}")
        labels = {}
        for item in filter(None, (p.strip() for p in rest.split(","))):
            key, eq, value = item.partition("=")
            if not eq or not key.strip():
                raise RequestError(f"--to labels want key=value, got {item!r}")
            labels[key.strip()] = value.strip()
        return cls(ns, labels)


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
