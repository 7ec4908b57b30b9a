"""Which proxy a request passes: a gateway workload, a sidecar with a namespace and pod labels, or
the waypoint an ambient client's request is handed to (routing/ambient.py decides; for one
destination Service, as a waypoint's filter chain is per Service VIP)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from istio_notebook.config.labels import LabelError, format_labels, parse_workload
from istio_notebook.routing.request import RequestError


@dataclass(frozen=True)
class Proxy:
    kind: str  # "gateway" | "sidecar" | "waypoint"
    namespace: str
    name: str | None = None  # gateway, waypoint: the Gateway resource's name
    labels: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    service: str | None = None  # waypoint: the hostname of the Service the request is for

    @classmethod
    def gateway(cls, namespace: str, name: str) -> "Proxy":
        return cls("gateway", namespace, name)

    @classmethod
    def sidecar(cls, namespace: str = "default", labels: dict[str, str] | None = None) -> "Proxy":
        return cls("sidecar", namespace, None, dict(labels or {}))

    @classmethod
    def waypoint(cls, namespace: str, name: str, service: str) -> "Proxy":
        return cls("waypoint", namespace, name, service=service)

    @classmethod
    def parse_gateway(cls, text: str) -> "Proxy":
        """`ns/name` (a bare name means namespace default)."""
        text = (text or "").strip()
        ns, _, name = text.rpartition("/")
        if not name or "," in text or "=" in text:
            raise RequestError(f"--gateway wants NS/NAME, got {text!r}")
        return cls.gateway(ns or "default", name)

    @classmethod
    def parse_from(cls, text: str | None) -> "Proxy":
        """`ns`, `ns/k=v,k2=v2` or `k=v` (namespace default)."""
        if not (text or "").strip():
            return cls.sidecar()
        try:
            namespace, labels = parse_workload(text, "--from", default_namespace="default")
        except LabelError as error:
            raise RequestError(str(error)) from None
        return cls.sidecar(namespace, labels)

    @cached_property
    def key(self) -> tuple:
        # Every route() looks its table up by this key: sorted once per Proxy, not per request
        # (cached_property writes the instance __dict__, which a frozen dataclass allows).
        return (self.kind, self.namespace, self.name, tuple(sorted(self.labels.items())), self.service)

    def __str__(self) -> str:
        if self.kind == "gateway":
            return f"gateway {self.namespace}/{self.name}"
        if self.kind == "waypoint":
            return f"waypoint {self.namespace}/{self.name} for {self.service}"
        labels = format_labels(self.labels)
        return f"sidecar {self.namespace}" + (f"/{labels}" if labels else "")
