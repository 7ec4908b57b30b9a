"""IST0163 and IST0164: Istio's webhooks pointing at an external control plane by a bad URL or an IP.

As istioctl's ``externalcontrolplane.ExternalControlPlaneAnalyzer`` (pkg/config/analysis/
analyzers/externalcontrolplane/externalcontrolplane.go, tag 1.30.3), for the webhooks of the
ValidatingWebhookConfigurations ``istiod-default-validator`` / ``istio-validator*`` and the
MutatingWebhookConfigurations ``istio-sidecar-injector*``: a ``clientConfig.url`` that does not
parse is IST0163 (Warning), one whose host is an IP address IST0164 (Info: use a hostname); a
webhook with neither ``url`` nor ``service`` is IST0163 ("is blank"). Go's ``url.Parse`` is
approximated: control characters, a ``%`` without two hex digits, or a non-numeric port fail.
At the webhook's ``clientConfig``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from urllib.parse import urlsplit

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.util import as_dict, as_str, enumerate_dicts
from istio_notebook.config import Resource
from istio_notebook.config.kinds import ADMISSION, GroupKind
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="externalcontrolplane.ExternalControlPlaneAnalyzer",
    description="Checks that the remote IstioOperator resources reference an external control plane",
    inputs=("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"),
)

VALIDATING = GroupKind(ADMISSION, "ValidatingWebhookConfiguration")
MUTATING = GroupKind(ADMISSION, "MutatingWebhookConfiguration")
_HEX = set("0123456789abcdefABCDEF")


def _istio_configuration(configuration: Resource) -> bool:
    if configuration.kind == VALIDATING.kind:
        return configuration.name == "istiod-default-validator" or configuration.name.startswith("istio-validator")
    return configuration.name.startswith("istio-sidecar-injector")


def parse_host(url: str) -> str | None:
    """The URL's host (brackets removed), or None when Go's url.Parse would refuse the URL."""
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        return None
    for i, ch in enumerate(url):
        if ch == "%" and not (len(url) > i + 2 and url[i + 1] in _HEX and url[i + 2] in _HEX):
            return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return None
    return parts.hostname or ""


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _check(configuration: Resource, index: int, webhook: dict) -> Iterator[Diagnostic]:
    client = as_dict(webhook.get("clientConfig"))
    path = ("webhooks", index, "clientConfig")
    name = as_str(webhook.get("name"))
    url = client.get("url")
    if isinstance(url, str):
        host = parse_host(url)
        if host is None:
            yield messages.invalid_external_control_plane(configuration, path, url, name, "was provided in an invalid format")
        elif _is_ip(host):
            yield messages.external_control_plane_ip(configuration, path, url, name)
    elif client.get("service") is None:
        yield messages.invalid_external_control_plane(configuration, path, "", name, "is blank")


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    for kind in (VALIDATING, MUTATING):
        for configuration in ctx.of_kind(kind):
            if _istio_configuration(configuration):
                for index, webhook in enumerate_dicts(configuration.get("webhooks")):
                    yield from _check(configuration, index, webhook)
