"""Server-side TLS settings (Gateway servers and Sidecar ingress listeners): validateTLSOptions."""

from __future__ import annotations

from istio_notebook.analysis.validation.findings import Findings, Path, items

# security.ValidCipherSuites (pkg/config/security/security.go): BoringSSL's names, PSK suites left out.
_CIPHER_SUITES = {
    "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
    "ECDHE-ECDSA-AES128-SHA", "ECDHE-RSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA", "ECDHE-RSA-AES256-SHA",
    "AES128-GCM-SHA256", "AES256-GCM-SHA384", "AES128-SHA", "AES256-SHA", "DES-CBC3-SHA",
}  # fmt: skip
_CERTIFICATE_FIELDS = ("caCrl", "serverCertificate", "privateKey", "caCertificates", "tlsCertificates", "credentialName", "credentialNames")


def check_server_tls(tls: dict, at: Path, found: Findings) -> None:
    _warn_ciphers(tls, at, found)
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
    if mode in ("PASSTHROUGH", "AUTO_PASSTHROUGH") and any(tls.get(field) for field in _CERTIFICATE_FIELDS):
        # validation.go:582: kept for backwards compatibility, so only a warning
        found.warning(at + ("mode",), f"{mode} mode does not use certificates, they will be ignored")
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
        if len(certificates) > 2:  # validation.go:635: Envoy picks one certificate per key type (RSA, ECDSA)
            found.warning(at + ("tlsCertificates",), f"{prefix} can support up to 2 server certificates")
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


def _warn_ciphers(tls: dict, at: Path, found: Findings) -> None:
    """validation.go:532-554: Envoy ignores what it does not know, so these are warnings."""
    suites = [str(suite) for suite in items(tls.get("cipherSuites"))]
    if tls.get("minProtocolVersion") in ("TLSV1_0", "TLSV1_1") and not suites:
        found.warning(
            at + ("minProtocolVersion",),
            "TLS version below TLSV1_2 require setting compatible ciphers as by default they no longer include compatible ciphers.",
        )
    invalid, valid, duplicate = set(), set(), set()
    for suite in suites:
        if not _valid_cipher(suite):
            invalid.add(suite)
        elif suite in valid:
            duplicate.add(suite)
        else:
            valid.add(suite)
    if invalid:
        found.warning(at + ("cipherSuites",), f"ignoring invalid cipher suites: {_go_list(invalid)}")
    if duplicate:
        found.warning(at + ("cipherSuites",), f"ignoring duplicate cipher suites: {_go_list(duplicate)}")


def _valid_cipher(suite: str) -> bool:
    """security.IsValidCipherSuite: a known name, "" or "ALL", or anything not starting with a letter or
    digit (OpenSSL operators such as "-" and "+" are passed through). Go looks at the first byte."""
    if suite in ("", "ALL"):
        return True
    first = chr(suite.encode()[0])
    if not first.isalpha() and not first.isnumeric():
        return True
    return suite in _CIPHER_SUITES


def _go_list(values: set[str]) -> str:
    """``%v`` of sets.SortedList: ``[a b]``."""
    return "[" + " ".join(sorted(values)) + "]"
