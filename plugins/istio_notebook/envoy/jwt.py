"""RequestAuthentication → Envoy's jwt_authn filter, and real signed tokens for the run.

istiod turns each applicable RequestAuthentication's ``jwtRules`` into one jwt_authn provider
per issuer, with the JWKS fetched by istiod and inlined (``local_jwks``), and a requirement
"any provider, or no token at all" (a request without a token passes authentication; a token
that fails is rejected with 401) — pilot/pkg/security/authn/policy_applier.go. Here the JWKS
is a key made for the run, and the caller's ``@claim`` lines become a token signed with it, so
Envoy verifies a real signature. The payload is kept in dynamic metadata (``payload``) for the
RBAC filter (Istio's own istio_authn filter, not in upstream Envoy, plays that part in Istio).
"""

from __future__ import annotations

import base64
import json
import time

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

JWT_FILTER = "envoy.filters.http.jwt_authn"
PAYLOAD_KEY = "payload"
KEY_ID = "istio-notebook"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class TokenIssuer:
    """One EC P-256 key: its JWKS for Envoy, and ES256 tokens for any claims."""

    def __init__(self) -> None:
        self._key = ec.generate_private_key(ec.SECP256R1())

    def jwks(self) -> str:
        numbers = self._key.public_key().public_numbers()
        key = {"kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": KEY_ID,
               "x": _b64(numbers.x.to_bytes(32, "big")), "y": _b64(numbers.y.to_bytes(32, "big"))}
        return json.dumps({"keys": [key]})

    def token(self, claims: dict) -> str:
        header = {"alg": "ES256", "typ": "JWT", "kid": KEY_ID}
        payload = {"exp": int(time.time()) + 3600, **claims}
        signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}"
        der = self._key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return f"{signing_input}.{_b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def jwt_filter(request_authentications: list, issuer: TokenIssuer) -> dict | None:
    """The jwt_authn HTTP filter for the applicable RequestAuthentications (None: none apply)."""
    providers: dict[str, dict] = {}
    for resource in request_authentications:
        rules = resource.spec.get("jwtRules")
        for index, rule in enumerate(rules if isinstance(rules, list) else []):
            if not isinstance(rule, dict) or not isinstance(rule.get("issuer"), str):
                continue
            provider: dict = {
                "issuer": rule["issuer"],
                "local_jwks": {"inline_string": issuer.jwks()},
                "payload_in_metadata": PAYLOAD_KEY,
                "forward": bool(rule.get("forwardOriginalToken")),
            }
            if isinstance(rule.get("audiences"), list) and rule["audiences"]:
                provider["audiences"] = [str(a) for a in rule["audiences"]]
            headers = rule.get("fromHeaders")
            if isinstance(headers, list) and headers:
                provider["from_headers"] = [
                    {"name": str(h.get("name")), "value_prefix": str(h.get("prefix", ""))} for h in headers if isinstance(h, dict)
                ]
            if isinstance(rule.get("fromParams"), list) and rule["fromParams"]:
                provider["from_params"] = [str(p) for p in rule["fromParams"]]
            if isinstance(rule.get("outputPayloadToHeader"), str):
                provider["forward_payload_header"] = rule["outputPayloadToHeader"]
            providers[f"origins-{resource.namespace}-{resource.name}-{index}"] = provider
    if not providers:
        return None
    requirements = [{"provider_name": name} for name in providers] + [{"allow_missing": {}}]
    return {
        "name": JWT_FILTER,
        "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication",
            "providers": providers,
            "rules": [{"match": {"prefix": "/"}, "requires": {"requires_any": {"requirements": requirements}}}],
        },
    }
