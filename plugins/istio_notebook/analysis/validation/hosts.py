"""Host names, DNS labels, IP addresses and CIDRs, with Istio's rules and wording.

Our own fixed patterns use Python's re (fast); regexes taken from Istio config go through RE2.
Follows istio/istio pkg/config/validation/agent/validation.go (ValidateWildcardDomain,
ValidateFQDN, ValidateNamespaceSlashWildcardHostname, ValidateIPSubnet) and
pkg/config/labels/instance.go (DNS-1123 label, wildcard label). Addresses and CIDRs are read as
Istio 1.30 reads them everywhere in validation, with Go's net/netip (ValidateIPAddress,
ValidateIPSubnet, util/net IsValidIPAddress, security.ValidateIPs): ``gonetip`` here, not
Python's ipaddress, which also takes netmasks (10.0.0.0/255.0.0.0), leading zeros in the prefix
length (/08) and IPv6 zones in a prefix, and refuses a zone holding a slash.
"""

from __future__ import annotations

import re
from functools import lru_cache

from istio_notebook.config.goformat import go_quote
from istio_notebook.config.gonetip import parse_addr_error, parse_prefix_error

DNS1123_LABEL_MAX = 63
_DNS1123_LABEL = re.compile(r"[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?")
_WILDCARD_LABEL = re.compile(r"\*|(?:\*|\*-)?[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?")


def is_dns1123_label(value: str) -> bool:
    return len(value) <= DNS1123_LABEL_MAX and _DNS1123_LABEL.fullmatch(value) is not None


def is_wildcard_label(value: str) -> bool:
    return len(value) <= DNS1123_LABEL_MAX and _WILDCARD_LABEL.fullmatch(value) is not None


def is_ip(value: str) -> bool:
    """netip.ParseAddr accepts it (IPv4, IPv6, IPv4-mapped IPv6, IPv6 with a zone)."""
    return parse_addr_error(value) is None


def _preconditions(name: str) -> str | None:
    if len(name) > 255:
        return f"domain name {go_quote(name)} too long (max 255)"
    if not name:
        return "empty domain name not allowed"
    return None


def _labels(domain: str, whole: str) -> str | None:
    parts = domain.split(".")
    if parts[-1].isdigit():
        return f"domain name {go_quote(whole)} invalid (top level domain {go_quote(parts[-1])} cannot be all-numeric)"
    for index, label in enumerate(parts):
        if index == len(parts) - 1 and label == "":
            return None  # a trailing dot is allowed
        if not is_dns1123_label(label):
            return f"domain name {go_quote(whole)} invalid (label {go_quote(label)} invalid)"
    return None


@lru_cache(maxsize=4096)
def fqdn_error(name: str) -> str | None:
    return _preconditions(name) or _labels(name, name)


@lru_cache(maxsize=4096)
def wildcard_domain_error(domain: str) -> str | None:
    """A DNS name whose first label may be a wildcard (``*``, ``*.example.com``, ``*-foo.bar``)."""
    problem = _preconditions(domain)
    if problem:
        return problem
    first, dot, rest = domain.partition(".")
    if not is_wildcard_label(first):
        return f"domain name {go_quote(domain)} invalid (label {go_quote(first)} invalid)"
    return _labels(rest, domain) if dot else None


def is_partial_wildcard(host: str) -> bool:
    """ValidatePartialWildCard: a ``*`` anywhere but as the whole host or a leading ``*.`` label."""
    return "*" in host and len(host) != 1 and not host.startswith("*.")


def partial_wildcard_error(host: str) -> str | None:
    return f"partial wildcard {go_quote(host)} not allowed" if is_partial_wildcard(host) else None


def _host_part_errors(hostname: str, gateway: bool) -> list[str]:
    problems = []
    if hostname != "*" and "." not in hostname:
        problems.append("short names (non FQDN) are not allowed")
    domain_problem = wildcard_domain_error(hostname)
    if domain_problem and (not gateway or not is_ip(hostname)):
        problems.append(domain_problem)
    problems.append(partial_wildcard_error(hostname))
    return [p for p in problems if p]


def namespace_host_errors(hostname: str, gateway: bool) -> list[str]:
    """Gateway server hosts (``ns/host`` or ``host``) and Sidecar egress hosts (``ns/host`` only)."""
    namespace, slash, host = hostname.partition("/")
    if not slash:
        return _host_part_errors(hostname, True) if gateway else ["host must be of form namespace/dnsName"]
    problems = []
    if not namespace or not host:
        problems.append("config namespace and dnsName in host entry cannot be empty")
    if not gateway:
        # Exactly "~" (no namespace), not a "~" prefix (agent/validation.go ValidateNamespaceSlashWildcardHostname).
        if namespace not in ("*", ".", "~") and not is_dns1123_label(namespace):
            problems.append(f"invalid namespace value {go_quote(namespace)} in sidecar")
    elif namespace not in ("*", ".") and not is_dns1123_label(namespace):
        problems.append(f"invalid namespace value {go_quote(namespace)} in gateway")
    return problems + _host_part_errors(host, gateway)


def is_cidr(value: str) -> bool:
    """netip.ParsePrefix accepts it (host bits may be set: 10.0.0.1/8)."""
    return parse_prefix_error(value) is None


def ip_subnet_error(subnet: str) -> str | None:
    """ServiceEntry addresses and match subnets: an IP, or a CIDR block (one ``/``)."""
    if subnet.count("/") == 1:
        return None if is_cidr(subnet) else f"{subnet} is not a valid CIDR block"
    return None if is_ip(subnet) else f"{subnet} is not a valid IP"


def ip_or_cidr_error(value: str) -> str | None:
    """AuthorizationPolicy ipBlocks and ``source.ip`` values (security.go ValidateIPs: the CIDR
    error carries ParsePrefix's own text, the address error does not)."""
    if "/" in value:
        problem = parse_prefix_error(value)
        return f"bad CIDR range ({value}): {problem}" if problem else None
    return None if is_ip(value) else f"bad IP address ({value})"

