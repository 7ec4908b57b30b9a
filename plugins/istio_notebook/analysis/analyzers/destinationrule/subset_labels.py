"""INB2006 (Kiali KIA0209): a DestinationRule subset without labels selects every endpoint."""

from __future__ import annotations

from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.util import as_str, enumerate_dicts
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="destinationrule.SubsetLabelsAnalyzer",
    description="Flags a DestinationRule subset that has no labels (Kiali KIA0209)",
    inputs=("DestinationRule",),
)


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    for rule in ctx.of_kind("DestinationRule"):
        for i, subset in enumerate_dicts(rule.get("spec", "subsets")):
            labels = subset.get("labels")
            if not isinstance(labels, dict) or not labels:
                yield messages.subset_without_labels(rule, ("spec", "subsets", i, "name"), as_str(subset.get("name")))
