"""IST0157: a Telemetry access-logging entry without providers is ignored.

As istioctl's ``telemetry.ProviderAnalyzer`` (telemetry/providers.go) with the default
MeshConfig, which sets no default access-logging provider: every ``accessLogging`` entry that is
not ``disabled: true`` must name ``providers``.
"""

from __future__ import annotations

from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.util import as_list, enumerate_dicts
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="telemetry.ProviderAnalyzer",
    description="Checks that Telemetry access logging names a provider",
    inputs=("Telemetry",),
)


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    for telemetry in ctx.of_kind("Telemetry"):
        for i, logging in enumerate_dicts(telemetry.get("spec", "accessLogging")):
            if logging.get("disabled") is True:
                continue
            if not as_list(logging.get("providers")):
                yield messages.invalid_telemetry_provider(telemetry, ("spec", "accessLogging", i))
