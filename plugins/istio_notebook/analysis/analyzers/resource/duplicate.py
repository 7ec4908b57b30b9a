"""INB2001: the input defines the same kind, namespace and name more than once.

``kubectl apply`` keeps the last definition; every other part of this project (``Mesh.get``)
uses the first. Either way one of them does not exist in a cluster: report the later ones.
"""

from __future__ import annotations

from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.config import Resource
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="resource.DuplicateAnalyzer",
    description="Flags a kind/namespace/name defined more than once in the input",
    inputs=("*",),
)


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    first: dict[tuple[str, str, str, str], Resource] = {}
    for resource in ctx.mesh:
        key = (resource.group, resource.kind, resource.namespace, resource.name)
        if key in first:
            yield messages.duplicate_resource(resource, first[key])
        else:
            first[key] = resource
