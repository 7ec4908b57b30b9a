"""IST0128 / IST0129: a DestinationRule originates TLS without verifying the server.

As istioctl's ``destinationrule.CaCertificateAnalyzer`` (ca-certificates.go): TLS mode SIMPLE or
MUTUAL with no ``caCertificates`` — unless ``credentialName`` is set and the rule has a
``workloadSelector`` (then the credential carries the CA) — at the top level (IST0128) and in
each ``portLevelSettings`` entry (IST0129).
"""

from __future__ import annotations

from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.util import as_dict, as_str, enumerate_dicts
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="destinationrule.CaCertificateAnalyzer",
    description="Checks that caCertificates is set when DestinationRule TLS mode is SIMPLE or MUTUAL",
    inputs=("DestinationRule",),
)

_ORIGINATING = ("SIMPLE", "MUTUAL")


def _unverified(tls: dict, has_selector: bool) -> bool:
    if tls.get("mode") not in _ORIGINATING or as_str(tls.get("caCertificates")):
        return False
    return not (as_str(tls.get("credentialName")) and has_selector)


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    for rule in ctx.of_kind("DestinationRule"):
        host = as_str(rule.get("spec", "host"))
        has_selector = rule.get("spec", "workloadSelector") is not None
        policy = as_dict(rule.get("spec", "trafficPolicy"))
        tls = as_dict(policy.get("tls"))
        if _unverified(tls, has_selector):
            path = ("spec", "trafficPolicy", "tls", "mode")
            yield messages.no_server_cert_verification_destination(rule, path, tls["mode"], host)
        for i, setting in enumerate_dicts(policy.get("portLevelSettings")):
            tls = as_dict(setting.get("tls"))
            if _unverified(tls, has_selector):
                port = as_dict(setting.get("port"))
                # istioctl prints the PortSelector proto in text form: "number:9080".
                shown = f"number:{port['number']}" if "number" in port else ""
                path = ("spec", "trafficPolicy", "portLevelSettings", i, "tls", "mode")
                yield messages.no_server_cert_verification_port(rule, path, tls["mode"], host, shown)
