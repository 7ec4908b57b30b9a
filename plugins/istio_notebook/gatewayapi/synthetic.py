"""Resources the front-end generates (istiod's internal Gateways and VirtualServices), with positions.

A generated resource has no YAML of its own: every field of it is located at the Gateway API
field it was made from (a VirtualService's ``http[i]`` at the HTTPRoute rule's match, a Gateway's
``servers[0]`` at the listener), so file:line in traces, coverage and diagnostics name what the
reader wrote.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from istio_notebook.config import kinds
from istio_notebook.config.resource import Resource
from istio_notebook.diagnostics import Diagnostic, Position

Path = tuple[str | int, ...]


@dataclass
class SyntheticDocument:
    """Quacks like config.yaml_reader.YamlDocument: data, origin, position, locate()."""

    data: dict
    source: Resource  # what it was generated from (its position stands for the whole document)
    anchors: dict[Path, tuple[Resource, Path]] = field(default_factory=dict)  # generated prefix → source field
    route_refs: list = field(default_factory=list)  # VirtualService: the RouteRef of each http route
    index: int = 0
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def origin(self):
        return self.source.document.origin

    @property
    def position(self) -> Position:
        return self.source.position

    def locate(self, *path: str | int) -> Position:
        """The source field of the longest anchored prefix of ``path``."""
        for length in range(len(path), 0, -1):
            anchor = self.anchors.get(tuple(path[:length]))
            if anchor is not None:
                resource, at = anchor
                return resource.locate(*at)
        return self.source.position


def generated(
    kind: str,
    name: str,
    namespace: str,
    spec: dict,
    source: Resource,
    annotations: dict[str, str],
    *,
    api_version: str = f"{kinds.NETWORKING}/v1",
    labels: dict[str, str] | None = None,
) -> tuple[Resource, SyntheticDocument]:
    """A resource generated from ``source`` (creation time and order are the source's): by default
    networking.istio.io, else what istiod's deployment controller creates (gatewayapi/deployment.py)."""
    metadata: dict = {"name": name, "namespace": namespace, "annotations": dict(annotations)}
    if labels:
        metadata["labels"] = dict(labels)
    stamp = source.metadata.get("creationTimestamp")
    if stamp:
        metadata["creationTimestamp"] = stamp
    body = {"apiVersion": api_version, "kind": kind, "metadata": metadata, "spec": spec}
    document = SyntheticDocument(body, source)
    info = kinds.lookup(body["apiVersion"], kind)
    resource = Resource(
        document=document,
        info=info,
        api_version=body["apiVersion"],
        kind=kind,  # type: ignore[arg-type]
        name=name,
        namespace=namespace,
        order=source.order,
    )
    return resource, document
