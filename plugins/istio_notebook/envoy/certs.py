"""Certificates made for one run: a mesh CA, a server certificate, SPIFFE client certificates.

Istio's workload certificates carry the identity as a URI SAN ``spiffe://<trust domain>/ns/<ns>/sa/<sa>``
(istio.io/latest/docs/concepts/security/#istio-identity); Envoy's RBAC ``authenticated.principal_name``
matches that URI SAN of the peer certificate. Keys are EC P-256 (fast to generate), valid for one
day, written as PEM files into a directory the run owns.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

TRUST_DOMAIN = "cluster.local"


def spiffe_id(principal: str) -> str:
    """``cluster.local/ns/default/sa/sleep`` (Istio's principal form) → its SPIFFE URI."""
    return principal if principal.startswith("spiffe://") else f"spiffe://{principal}"


def principal_for_namespace(namespace: str, service_account: str = "default") -> str:
    return f"{TRUST_DOMAIN}/ns/{namespace}/sa/{service_account}"


@dataclass(frozen=True)
class CertFiles:
    cert: Path
    key: Path


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _write(directory: Path, stem: str, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> CertFiles:
    cert_path, key_path = directory / f"{stem}.pem", directory / f"{stem}-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    key_path.chmod(0o600)
    return CertFiles(cert_path, key_path)


class MeshCA:
    """A throw-away CA that signs workload certificates, all files under ``directory``."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._now = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5)
        self._key = _key()
        name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "istio-notebook test CA")])
        self._name = name
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(self._now)
            .not_valid_after(self._now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
            )
            .sign(self._key, hashes.SHA256())
        )
        self.files = _write(self.directory, "ca", self.cert, self._key)
        self._issued: dict[str, CertFiles] = {}

    def anonymous(self) -> CertFiles:
        """A client certificate signed by the CA but naming no identity (no SAN, empty subject)."""
        return self._issue("anonymous", [])

    def workload(self, principal: str, *, dns_names: tuple[str, ...] = ()) -> CertFiles:
        """A certificate for a workload identity (server and client use), cached per principal."""
        uri = spiffe_id(principal)
        cache_key = uri + "|" + ",".join(dns_names)
        sans: list[x509.GeneralName] = [x509.UniformResourceIdentifier(uri)]
        sans += [x509.DNSName(name) for name in dns_names]
        return self._issue(cache_key, sans)

    def _issue(self, cache_key: str, sans: list[x509.GeneralName]) -> CertFiles:
        if cache_key in self._issued:
            return self._issued[cache_key]
        key = _key()
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([]))  # Istio workload certs carry the identity only in the SAN
            .issuer_name(self._name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(self._now)
            .not_valid_after(self._now + datetime.timedelta(days=1))
        )
        if sans:
            builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=True)
        cert = (
            builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
                critical=False,
            )
            .sign(self._key, hashes.SHA256())
        )
        stem = f"workload-{len(self._issued)}"
        files = _write(self.directory, stem, cert, key)
        self._issued[cache_key] = files
        return files
