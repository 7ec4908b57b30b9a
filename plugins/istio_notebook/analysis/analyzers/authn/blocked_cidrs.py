"""IST0175: RequestAuthentications exist, but istiod does not restrict where it fetches JWKS from.

As istioctl's ``authn.BlockedCIDRsAnalyzer`` (pkg/config/analysis/analyzers/authn/
blockedcidrs.go, tag 1.30.3): when the input holds at least one RequestAuthentication, every
Deployment labelled ``app=istiod`` whose containers set no non-empty ``BLOCKED_CIDRS_IN_JWKS_URIS``
environment variable is reported (istiod fetches each ``jwksUri``, so a policy author could make it
call internal addresses), naming up to five of the RequestAuthentications. At ``metadata.name``.
"""

from __future__ import annotations

from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.util import as_dict, enumerate_dicts
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="authn.BlockedCIDRsAnalyzer",
    description="Checks that BLOCKED_CIDRS_IN_JWKS_URIS is configured on istiod when RequestAuthentication resources exist",
    inputs=("RequestAuthentication", "Deployment"),
)

ENV = "BLOCKED_CIDRS_IN_JWKS_URIS"
SHOWN = 5


def _names(names: list[str]) -> str:
    if len(names) <= SHOWN:
        return ", ".join(names)
    return f"{', '.join(names[:SHOWN])}, and {len(names) - SHOWN} more"


def _restricted(containers: object) -> bool:
    return any(
        env.get("name") == ENV and env.get("value") not in (None, "")
        for _, container in enumerate_dicts(containers)
        for _, env in enumerate_dicts(container.get("env"))
    )


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    names = [authn.key for authn in ctx.of_kind("RequestAuthentication")]
    if not names:
        return
    for deployment in ctx.of_kind("Deployment"):
        if deployment.labels.get("app") != "istiod":
            continue
        if not _restricted(as_dict(deployment.get("spec", "template", "spec")).get("containers")):
            yield messages.jwks_uri_fetch_unrestricted(deployment, ("metadata", "name"), len(names), _names(names))
