"""A Kubernetes/Istio resource as read from a file, with positions for every field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from istio_notebook.config.kinds import GroupKind, KindInfo, split_api_version
from istio_notebook.config.labels import label_map
from istio_notebook.config.yaml_reader import YamlDocument
from istio_notebook.diagnostics import Position

DEFAULT_NAMESPACE = "default"


@dataclass(eq=False, slots=True)
class Resource:
    document: YamlDocument
    info: KindInfo | None
    api_version: str
    kind: str
    name: str
    namespace: str  # "" for cluster-scoped kinds
    order: int  # position in the input; stands in for creation time when none is given

    @property
    def group(self) -> str:
        return split_api_version(self.api_version)[0]

    @property
    def group_kind(self) -> GroupKind:
        return GroupKind(self.group, self.kind)

    @property
    def version(self) -> str:
        return split_api_version(self.api_version)[1]

    @property
    def body(self) -> dict:
        return self.document.data

    @property
    def metadata(self) -> dict:
        value = self.body.get("metadata")
        return value if isinstance(value, dict) else {}

    @property
    def spec(self) -> dict:
        value = self.body.get("spec")
        return value if isinstance(value, dict) else {}

    @property
    def labels(self) -> dict[str, str]:
        return label_map(self.metadata.get("labels"))

    @property
    def annotations(self) -> dict[str, str]:
        value = self.metadata.get("annotations")
        return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}

    @property
    def creation_key(self) -> tuple:
        """Istio's "oldest first" order: creation time, then name, then namespace
        (pilot/pkg/model/config.go sortConfigByCreationTime).

        Files have no creation time unless metadata.creationTimestamp is set; the input order
        (the order `kubectl apply -f` would create them) stands in for it. Equal timestamps are
        ordered by name and namespace whatever the files' order, as istiod does.
        """
        stamp = str(self.metadata.get("creationTimestamp") or "")
        return (stamp, 0 if stamp else self.order, self.name, self.namespace)

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}" if self.namespace else self.name

    @property
    def origin(self) -> str:
        """How istioctl names a resource in messages: ``Kind namespace/name``."""
        return f"{self.kind} {self.key}"

    @property
    def file(self) -> str:
        return self.document.origin.file

    @property
    def position(self) -> Position:
        return self.document.position

    def locate(self, *path: str | int) -> Position:
        """Position of a field, e.g. ``locate("spec", "http", 0, "route", 1, "destination", "host")``."""
        return self.document.locate(*path)

    def get(self, *path: str | int, default: Any = None) -> Any:
        """The value at ``path`` in the document, or ``default``."""
        value: Any = self.body
        for step in path:
            if isinstance(step, int) and isinstance(value, list) and -len(value) <= step < len(value):
                value = value[step]
            elif isinstance(step, str) and isinstance(value, dict) and step in value:
                value = value[step]
            else:
                return default
        return value
