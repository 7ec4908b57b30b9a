"""RequestAuthentication: ValidateRequestAuthentication / validateJwtRule in validation.go."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from istio_notebook.analysis.validation import values
from istio_notebook.analysis.validation.findings import Findings, Path, items, present
from istio_notebook.analysis.validation.selectors import check_selection


def check(spec: dict, found: Findings) -> None:
    check_selection(spec, found)
    for index, rule in enumerate(items(spec.get("jwtRules"))):
        _check_rule(rule, ("spec", "jwtRules", index), found)


def _check_rule(rule: dict, at: Path, found: Findings) -> None:
    for index, audience in enumerate(items(rule.get("audiences"))):
        if not audience:
            found.error(at + ("audiences", index), "audience must be non-empty string")
    uri_field = "jwksUri" if present(rule, "jwksUri") or not present(rule, "jwks_uri") else "jwks_uri"  # the CRD's altName
    uri = rule.get(uri_field) or ""
    if not rule.get("issuer") and not uri:
        found.error(at, "issuer or jwksUri must be non-empty string")
    if sum(present(rule, name) for name in ("jwksUri", "jwks_uri", "jwks")) > 1:
        found.error(at + ("jwks",), "only one of jwks or jwksUri can be set")  # CRD rule (request_authentication.proto)
    if uri:
        found.errors(at + (uri_field,), [_jwks_uri_error(uri)])
    if rule.get("jwks"):
        found.errors(at + ("jwks",), [_jwks_error(rule["jwks"])])
        _warn_private_keys(rule["jwks"], at + ("jwks",), found)
    for index, header in enumerate(items(rule.get("fromHeaders"))):
        if not header.get("name"):
            found.error(at + ("fromHeaders", index), "location header name must be non-empty string")
    for index, param in enumerate(items(rule.get("fromParams"))):
        if not param:
            found.error(at + ("fromParams", index), "location query must be non-empty string")
    for index, cookie in enumerate(items(rule.get("fromCookies"))):
        if not cookie:
            found.error(at + ("fromCookies", index), "cookie name must be non-empty string")
    for index, pair in enumerate(items(rule.get("outputClaimToHeaders"))):
        where = at + ("outputClaimToHeaders", index)
        if not pair.get("claim") or not pair.get("header"):
            found.error(where, "outputClaimToHeaders header and claim value must be non-empty string")
            continue
        found.errors(where + ("header",), [values.strict_header_name_error(pair["header"])])
    if present(rule, "timeout"):
        found.errors(at + ("timeout",), [values.duration_error(rule["timeout"])])


def _jwks_uri_error(uri: str) -> str | None:
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018 - raises ValueError on a bad port, as Go's parser does
    except ValueError as problem:
        return str(problem)
    if parts.scheme not in ("http", "https"):
        return f'URI scheme "{parts.scheme}" is not supported'
    return None


def _jwks_error(jwks: str) -> str | None:
    # A JSON Web Key Set is a JSON object with a "keys" list.
    try:
        document = json.loads(jwks)
    except ValueError as problem:
        return f"jwks parse error: {problem}"
    if not isinstance(document, dict) or not isinstance(document.get("keys", []), list):
        return "jwks parse error: not a JSON Web Key Set"
    return None


# warnPrivateJwksKeys (V:1619-1633) parses the inline set with lestrrat-go/jwx v1 jwk.Parse and warns about every
# key that parsed as an RSA, ECDSA or OKP private key or as a symmetric ("oct") key; if the set does not parse,
# there is no warning. jwx picks the key type from "kty" and whether a "d" member is there (jwk/jwk.go ParseKey),
# then decodes the key (jwk/*_gen.go UnmarshalJSON): the members below must be present, byte members must be
# base64 strings, and any key failing that makes the whole set fail.
_MEMBERS = {  # (kty, private) -> (base64 byte members, required members)
    ("RSA", False): (("n", "e"), ("e", "n")),
    ("RSA", True): (("n", "e", "d", "p", "q", "dp", "dq", "qi"), ("d", "e", "n")),
    ("EC", False): (("x", "y"), ("crv", "x", "y")),
    ("EC", True): (("x", "y", "d"), ("crv", "d", "x", "y")),
    ("OKP", False): (("x",), ("crv", "x")),
    ("OKP", True): (("x", "d"), ("crv", "d", "x")),
    ("oct", True): (("k",), ("k",)),
}
_STRING_MEMBERS = ("kty", "alg", "kid", "use", "x5t", "x5t#S256")  # and "crv" for EC and OKP keys


def _warn_private_keys(jwks: str, at: Path, found: Findings) -> None:
    for index, private in enumerate(_jwks_key_kinds(jwks) or []):
        if private:
            found.warning(at, f"jwks key at index {index} contains private key material; only public keys are used for verification")


def _jwks_key_kinds(jwks: str) -> list[bool] | None:
    """For each key of the set, whether jwx reads it as private or symmetric; None when jwk.Parse would fail."""
    try:
        document = json.loads(jwks)
    except ValueError:
        return None
    if not isinstance(document, dict):
        return None
    keys = document.get("keys", [document])  # a lone key is read as a set of one
    if keys is None:
        return []
    if not isinstance(keys, list):
        return None
    kinds = [_key_kind(key) for key in keys]
    return None if None in kinds else kinds


def _key_kind(key: object) -> bool | None:
    if not isinstance(key, dict):
        return None
    # The type hint is read with encoding/json, whose member names match case-insensitively.
    hint = {name.lower(): value for name, value in key.items() if name.lower() in ("kty", "d")}
    kty = hint.get("kty")
    if kty not in ("RSA", "EC", "OKP", "oct"):
        return None
    private = kty == "oct" or "d" in hint
    byte_members, required = _MEMBERS[kty, private]
    if any(name not in key for name in required):  # null counts: it decodes to empty bytes
        return None
    if any(name in key and not _is_base64(key[name]) for name in byte_members):
        return None
    string_members = _STRING_MEMBERS + (("crv",) if kty in ("EC", "OKP") else ())
    if any(name in key and not isinstance(key[name], (str, type(None))) for name in string_members):
        return None
    return private


def _is_base64(value: object) -> bool:
    """jwx's base64.DecodeString: padded or raw, standard or URL alphabet, chosen from the text; null reads as empty."""
    if value is None:
        return True
    if not isinstance(value, str):
        return False
    text = value.replace("\r", "").replace("\n", "")  # Go's decoder skips line breaks
    alphabet = r"A-Za-z0-9+/" if re.search(r"[+/]", text) else r"A-Za-z0-9\-_"
    if not re.fullmatch(f"[{alphabet}]*={{0,2}}", text):
        return False
    body = text.rstrip("=")
    if len(body) % 4 == 1:
        return False
    if text.endswith("="):
        return len(text) % 4 == 0 and len(text) - len(body) == (4 - len(body) % 4) % 4
    return True
