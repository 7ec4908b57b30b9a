"""Server-side TLS settings (Gateway servers and Sidecar ingress listeners): validateTLSOptions."""

from __future__ import annotations

from istio_notebook.analysis.validation.findings import Findings, Path, items


def check_server_tls(tls: dict, at: Path, found: Findings) -> None:
    mode = tls.get("mode") or "PASSTHROUGH"
    certificate, key, ca = tls.get("serverCertificate") or "", tls.get("privateKey") or "", tls.get("caCertificates") or ""
    credential, credentials = tls.get("credentialName") or "", items(tls.get("credentialNames"))
    certificates = items(tls.get("tlsCertificates"))
    if mode == "ISTIO_MUTUAL":
        for field, value, what in (
            ("serverCertificate", certificate, "server certificate"),
            ("privateKey", key, "private key"),
            ("caCertificates", ca, "CA bundle"),
            ("tlsCertificates", certificates, "tlsCertificates"),
            ("credentialName", credential, "credentialName"),
            ("credentialNames", credentials, "credentialNames"),
        ):
            if value:
                found.error(at + (field,), f"ISTIO_MUTUAL TLS cannot have associated {what}")
        return
    sources = sum(bool(x) for x in (certificate and key, credential, credentials, certificates))
    if sources > 1:
        found.error(
            at, "only one of credential_name, credential_names, server_certificate/private_key, tls_certificates should be specified"
        )
    simple_or_mutual = mode in ("SIMPLE", "MUTUAL", "OPTIONAL_MUTUAL")
    if simple_or_mutual and (credential or credentials):
        return  # certificates come from the credential (a Kubernetes secret)
    if simple_or_mutual:
        prefix = "SIMPLE TLS" if mode == "SIMPLE" else "MUTUAL TLS"
        if mode != "SIMPLE" and not ca:
            found.error(at + ("mode",), f"{prefix} requires a client CA bundle")
        pairs = [(("tlsCertificates", i), c.get("serverCertificate"), c.get("privateKey")) for i, c in enumerate(certificates)] or [
            ((), certificate, key)
        ]
        for where, cert, private in pairs:
            if not cert:
                found.error(at + where + (("serverCertificate",) if where else ("mode",)), f"{prefix} requires a server certificate")
            if not private:
                found.error(at + where + (("privateKey",) if where else ("mode",)), f"{prefix} requires a private key")
    if tls.get("caCrl"):
        if credential:
            found.error(at + ("caCrl",), "CRL is not supported with credentialName. CRL has to be specified in the credential")
        if mode == "SIMPLE":
            found.error(at + ("caCrl",), "CRL is not supported with SIMPLE TLS")
