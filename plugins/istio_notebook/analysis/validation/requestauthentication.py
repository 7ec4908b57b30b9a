"""RequestAuthentication: ValidateRequestAuthentication / validateJwtRule in validation.go."""

from __future__ import annotations

from urllib.parse import urlsplit

from istio_notebook.analysis.validation import jwks as jwk_sets
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
    # validateJwtRule (V:1659-1663): fmt.Errorf("jwks parse error: %v", err) around jwk.Parse's error chain.
    try:
        jwk_sets.key_kinds(jwks)
    except jwk_sets.JwksError as problem:
        return f"jwks parse error: {problem}"
    return None


def _warn_private_keys(jwks: str, at: Path, found: Findings) -> None:
    try:
        kinds = jwk_sets.key_kinds(jwks)
    except jwk_sets.JwksError:
        return  # warnPrivateJwksKeys warns only about a set that parses (the error above says why it does not)
    for index, private in enumerate(kinds):
        if private:
            found.warning(at, f"jwks key at index {index} contains private key material; only public keys are used for verification")
