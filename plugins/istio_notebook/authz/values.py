"""AuthorizationPolicy value matching: exact, `prefix*`, `*suffix`, `*` (any non-empty value)."""

from __future__ import annotations

import ipaddress


def value_matches(pattern: str, value: str | None, *, ignore_case: bool = False) -> bool:
    if value is None:
        return False
    pattern = str(pattern)
    if ignore_case:
        pattern, value = pattern.lower(), value.lower()
    if pattern == "*":
        return value != ""
    if pattern.startswith("*"):
        return value.endswith(pattern[1:])
    if pattern.endswith("*"):
        return value.startswith(pattern[:-1])
    return value == pattern


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
