"""IST0101 (credentialName) and IST0161: the Secret a Gateway server's ``credentialName`` names.

As istioctl's ``gateway.SecretAnalyzer`` (pkg/config/analysis/analyzers/gateway/secret.go, tag
1.30.3). The Secret is looked up in the namespace of the gateway's pods (the first pod the
selector matches), not the Gateway's: ``name`` or ``namespace/name``. Missing: IST0101
(credentialName). Present but unusable: IST0161, when it holds neither non-empty ``cert`` and
``key`` nor non-empty ``tls.crt`` and ``tls.key`` (pilot/pkg/credentials/kube ExtractCertInfo),
or when that certificate is not PEM, not X.509, or outside its validity period now
(pilot/pkg/xds ValidateCertificate). Both at ``spec.servers[i].tls.credentialName``.

Judged only when the input holds the gateway's pods (Pods, or Deployments through their pod
template) and at least one Secret; a selector that matches no pod is IST0101 (selector) from
``gateway.IngressGatewayPortAnalyzer``, not repeated here. A file's ``stringData`` counts as
``data``, as the API server merges it on write.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from datetime import datetime, timezone

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.util import as_dict, as_str, enumerate_dicts
from istio_notebook.config import Resource
from istio_notebook.config.labels import label_map
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="gateway.SecretAnalyzer",
    description="Checks a gateway's referenced secrets for correctness",
    inputs=("Gateway", "Pod", "Deployment", "Secret"),
)

# (certificate key, private key) pairs in ExtractCertInfo's order: generic, then kubernetes.io/tls.
KEY_PAIRS = (("cert", "key"), ("tls.crt", "tls.key"))


def secret_data(secret: Resource) -> dict[str, bytes]:
    """The Secret's bytes per key: ``data`` base64-decoded, then ``stringData`` over it."""
    found: dict[str, bytes] = {}
    for key, value in as_dict(secret.get("data")).items():
        try:
            found[str(key)] = base64.b64decode(as_str(value), validate=True)
        except (binascii.Error, ValueError):
            found[str(key)] = b""  # the API server would refuse it; nothing usable either way
    for key, value in as_dict(secret.get("stringData")).items():
        found[str(key)] = as_str(value).encode()
    return found


def first_pem_block(data: bytes) -> bytes | None:
    """The DER bytes of the first PEM block (any type, as Go's ``pem.Decode``), or None."""
    text = data.decode("ascii", errors="replace")
    begin = text.find("-----BEGIN ")
    start = text.find("-----", begin + 11) if begin >= 0 else -1
    end = text.find("-----END ", start) if start >= 0 else -1
    if end < 0:
        return None
    body = "".join(line for line in text[start + 5 : end].splitlines() if ":" not in line)
    try:
        return base64.b64decode(body, validate=False)
    except (binascii.Error, ValueError):
        return None


def valid_certificate(data: bytes, now: datetime) -> bool:
    der = first_pem_block(data)
    if der is None:
        return False
    # Imported here: cryptography has no build for the in-browser engine (Pyodide), which runs
    # every analyzer but meets gateway Secrets only when a reader pastes one.
    from cryptography import x509

    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:
        return False
    return cert.not_valid_before_utc <= now <= cert.not_valid_after_utc


def valid_secret(secret: Resource, now: datetime) -> bool:
    data = secret_data(secret)
    for cert_key, private_key in KEY_PAIRS:
        if data.get(cert_key) and data.get(private_key):
            return valid_certificate(data[cert_key], now)
    return False


def _check_servers(ctx: Context, gateway: Resource, namespace: str, now: datetime) -> Iterator[Diagnostic]:
    for i, server in enumerate_dicts(gateway.get("spec", "servers")):
        credential = as_str(as_dict(server.get("tls")).get("credentialName"))
        if not credential:
            continue
        secret_namespace, slash, name = credential.partition("/")
        secret = ctx.mesh.get("Secret", secret_namespace, name) if slash else ctx.mesh.get("Secret", namespace, credential)
        path = ("spec", "servers", i, "tls", "credentialName")
        if secret is None:
            yield messages.referenced_resource_not_found(gateway, path, "credentialName", credential)
        elif not valid_secret(secret, now):
            yield messages.invalid_gateway_credential(gateway, path, gateway.name, namespace)


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    if not ctx.workloads or not ctx.has("Secret"):
        return
    now = datetime.now(timezone.utc)
    for gateway in ctx.of_kind("Gateway"):
        pods = ctx.workloads.select(label_map(gateway.get("spec", "selector")))
        if pods:
            yield from _check_servers(ctx, gateway, pods[0].namespace, now)
