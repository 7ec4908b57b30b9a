"""AuthorizationPolicy value matching: exact, `prefix*`, `*suffix`, `*` (any non-empty value).

Also the identity matchers istiod builds as regexes or prefixes on the peer's SPIFFE URI
(istio/istio 1.30 pilot/pkg/security/authz/model/generator.go): both engines use them, the
simulator to match and envoy/rbac.py to emit the same Envoy matcher.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from istio_notebook.config.matchers import authz_value, regex_full_match
from istio_notebook.config.regex import quote_meta


def value_matches(pattern: object, value: str | None, *, ignore_case: bool = False) -> bool:
    return value is not None and authz_value(pattern, ignore_case=ignore_case).matches(value)


def any_matches(patterns: list, value: str | None, **kw) -> bool:
    return any(value_matches(p, value, **kw) for p in patterns)


def ip_in(blocks: list, ip: str | None) -> bool:
    if not ip:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    for block in blocks:
        try:
            if address in ipaddress.ip_network(str(block), strict=False):
                return True
        except ValueError:
            continue
    return False


def principal_value(principal: str | None) -> str | None:
    """Istio compares principals without the `spiffe://` scheme."""
    if principal is None:
        return None
    return principal[len("spiffe://"):] if principal.startswith("spiffe://") else principal


def service_account_regex(policy_namespace: str, value: str) -> str:
    """istiod's serviceAccountRegex: ``name`` (in the policy's namespace) or ``namespace/name``.

    No wildcards: the value is quoted. Extra ``/k/v`` segments are allowed around ``sa/<name>``
    but a longer name (``<name>-junk``) is not.
    """
    namespace, slash, account = str(value).partition("/")
    if not slash:
        namespace, account = policy_namespace, str(value)
    return f"spiffe://.+/ns/{quote_meta(namespace)}/(.+/|)sa/{quote_meta(account)}(/.+)?"


@dataclass(frozen=True)
class UriMatcher:
    """A matcher on the peer's SPIFFE URI: a prefix or an RE2 regex (full match), as Envoy's."""

    prefix: str | None = None
    regex: str | None = None

    def matches(self, uri: str) -> bool:
        if self.prefix is not None:
            return uri.startswith(self.prefix)
        return regex_full_match(self.regex or "", uri)

    def envoy(self) -> dict:
        return {"prefix": self.prefix} if self.prefix is not None else {"safe_regex": {"regex": self.regex}}


def trust_domain_matcher(value: str) -> UriMatcher:
    """istiod's srcTrustDomainGenerator: ``*`` any, exact → ``spiffe://<td>/`` prefix, else the
    first ``*`` stands for ``[^/]*`` (the rest is quoted)."""
    value = str(value)
    if value == "*":
        return UriMatcher(prefix="spiffe://")
    if "*" not in value:
        return UriMatcher(prefix=f"spiffe://{value}/")
    head, tail = value.split("*", 1)
    return UriMatcher(regex=f"spiffe://{quote_meta(head)}[^/]*{quote_meta(tail)}/.*")


def service_account_matcher(policy_namespace: str, value: str) -> UriMatcher:
    return UriMatcher(regex=service_account_regex(policy_namespace, value))


def peer_uri(principal: str | None) -> str | None:
    """The peer's URI SAN as Envoy sees it (principals here are kept without the scheme)."""
    return None if principal is None else "spiffe://" + principal
