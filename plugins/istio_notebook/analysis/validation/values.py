"""Checks on single values that many kinds share: durations, ports, percentages, regexes, labels,
header names, protocols, exportTo. Each returns Istio's error text, or None when the value is fine.

Sources: istio/istio pkg/config/validation/validation.go and agent/validation.go,
pkg/config/labels/instance.go, pkg/config/protocol/instance.go.
"""

from __future__ import annotations

import re
from functools import lru_cache

from istio_notebook.analysis.validation.header_value import header_value_syntax_error
from istio_notebook.analysis.validation.hosts import fqdn_error, is_dns1123_label
from istio_notebook.config.goformat import go_quote
from istio_notebook.config.models.base import duration_nanos
from istio_notebook.config.regex import parse_error

MILLISECOND = 1_000_000  # in nanoseconds
REGEX_MAX_LENGTH = 1024

# Lower-cased protocol names Istio understands (protocol.Parse is case-insensitive).
PROTOCOLS = {
    "grpc",
    "grpc-web",
    "http",
    "http_proxy",
    "http2",
    "https",
    "tcp",
    "tls",
    "udp",
    "mongo",
    "redis",
    "mysql",
    "hbone",
    "doublehbone",
}
_HTTP = {"http", "http2", "http_proxy", "grpc", "grpc-web"}
_TLS = {"https", "tls"}
_TCP = {"tcp", "https", "tls", "mongo", "redis", "mysql"}  # protocol.Instance.IsTCP
_QUALIFIED_NAME = r"(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_DNS_LABEL = r"[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?"
_LABEL_KEY = re.compile(rf"({_DNS_LABEL}(?:\.{_DNS_LABEL})*/)?({_QUALIFIED_NAME})")
_LABEL_VALUE = re.compile(rf"(?:{_QUALIFIED_NAME})?")
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~A-Za-z0-9]+")
_STRICT_HEADER_NAME = re.compile(r"[-_A-Za-z0-9]+")
_PROBE_HEADER_NAME = re.compile(r"[-A-Za-z0-9]+")
_PSEUDO_HEADERS = {":method", ":scheme", ":authority", ":path", ":status"}

def protocol_is_http(name: str) -> bool:
    return name.lower() in _HTTP


def protocol_is_tls(name: str) -> bool:
    return name.lower() in _TLS


def protocol_is_tcp(name: str) -> bool:
    return name.lower() in _TCP


def protocol_is_known(name: str) -> bool:
    return name.lower() in PROTOCOLS


def duration_error(text: str) -> str | None:
    """ValidateDuration: at least 1ms, whole milliseconds."""
    nanos = duration_nanos(text)
    if nanos is None:
        return f"invalid duration {go_quote(text)}"
    if nanos < MILLISECOND:
        return "duration must be greater than 1ms"
    if nanos % MILLISECOND:
        return "only durations to ms precision are supported"
    return None


def port_error(port: int) -> str | None:
    return None if 1 <= port <= 65535 else f"port number {port} must be in the range 1..65535"


def port_name_error(name: str) -> str | None:
    return None if is_dns1123_label(name) else f"invalid port name: {name}"


def protocol_error(name: str) -> str | None:
    return None if not name or protocol_is_known(name) else f"unsupported protocol: {name}"


def percent_error(value: int) -> str | None:
    return None if 0 <= value <= 100 else f"percentage {value} is not in range 0..100"


def percentage_error(value: float) -> str | None:
    """A ``Percent``: 0, or between 0.0001 and 100."""
    if value < 0 or value > 100 or 0 < value < 0.0001:
        return f"percentage {value} is neither 0.0, nor in range [0.0001, 100.0]"
    return None


@lru_cache(maxsize=1024)
def regex_error(pattern: str, where: str) -> str | None:
    """Istio compiles regexes with Go's RE2 engine and caps them at 1024 characters."""
    if len(pattern) > REGEX_MAX_LENGTH:
        return f"{go_quote(where)}: regex is too large, max length allowed is {REGEX_MAX_LENGTH}"
    problem = regex_parse_error(pattern)
    if problem:
        return f"{go_quote(where)}: {problem}; Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax)"
    return None


@lru_cache(maxsize=1024)
def regex_parse_error(pattern: str) -> str | None:
    """Go's ``regexp.Compile`` error for ``pattern`` (RE2 syntax), or None. The reason after
    "error parsing regexp: " is RE2's (C++) wording, which differs slightly from Go's."""
    reason = parse_error(pattern)
    return None if reason is None else f"error parsing regexp: {reason}"


def label_errors(labels: dict) -> list[str]:
    """Kubernetes label keys and values (labels.Instance.Validate)."""
    problems = []
    for key, value in labels.items():
        problems += _label_errors(key, value)
    return problems


@lru_cache(maxsize=4096)
def _label_errors(key: str, value: str) -> tuple[str, ...]:
    problems = []
    match = _LABEL_KEY.fullmatch(key)
    if match is None:
        problems.append(f"invalid tag key: {go_quote(key)}")
    elif match.group(1) and len(match.group(1)) - 1 > 253:
        problems.append(f"invalid tag key: {go_quote(key)} (DNS prefix is too long)")
    elif len(match.group(2)) > 63:
        problems.append(f"invalid tag key: {go_quote(key)} (name is too long)")
    if not _LABEL_VALUE.fullmatch(value):
        problems.append(f"invalid tag value: {go_quote(value)}")
    return tuple(problems)


ROUTING_CLAIM = "@request.auth.claims"


def is_routing_claim(name: str) -> bool:
    """istio/istio pkg/jwt ToRoutingClaim(name).Match: ``@request.auth.claims.a.b`` or
    ``@request.auth.claims[a][b]`` (the prefix in any case), as header names in VirtualService matches."""
    if not name.lower().startswith(ROUTING_CLAIM):
        return False
    rest = name[len(ROUTING_CLAIM) :]
    return (rest.startswith(".") and len(rest) > 1) or (rest.startswith("[") and rest.endswith("]") and len(rest) > 2)


def header_name_error(name: str, allow_routing_claim: bool = True) -> str | None:
    """Header names in matches: RFC 7230 tokens, pseudo-headers, or a JWT routing claim
    (pkg/config/validation ValidateHTTPHeaderNameOrJwtClaimRoute)."""
    if not name:
        return "header name cannot be empty"
    if allow_routing_claim and is_routing_claim(name):
        return None
    if name in _PSEUDO_HEADERS or _HEADER_NAME.fullmatch(name):
        return None
    return f"header name {name} is not a valid header name"


def cors_header_name_error(name: str) -> str | None:
    if not name:
        return "header name cannot be empty"
    if name == "*" or _HEADER_NAME.fullmatch(name):
        return None
    return f"header name {name} is not a valid header name"


def strict_header_name_error(name: str) -> str | None:
    if not name:
        return "header name cannot be empty"
    return None if _STRICT_HEADER_NAME.fullmatch(name) else f"header name {name} is not a valid header name"


def probe_header_name_error(name: str) -> str | None:
    if not name:
        return "header name cannot be empty"
    return None if _PROBE_HEADER_NAME.fullmatch(name) else f"header name {name} is not a valid header name"


def _internal_header(name: str) -> bool:
    return name.startswith(":") or name.lower() == "host"


def _authority_header(name: str) -> bool:
    return name.lower() in (":authority", "host")


def request_header_operation_error(name: str) -> str | None:
    """Request set/add may rewrite the authority (``:authority`` / ``host``) but no other pseudo-header."""
    if not name:
        return "header name cannot be empty"
    if _internal_header(name) and not _authority_header(name):
        return f'invalid header "{name}": header cannot have ":" prefix'
    return None


def header_operation_error(name: str) -> str | None:
    """Request remove, response set/add/remove."""
    if not name:
        return "header name cannot be empty"
    if name.lower() == "host":
        return f'invalid header "{name}": cannot set Host header'
    if _internal_header(name):
        return f'invalid header "{name}": header cannot have ":" prefix'
    return None


def header_value_error(value: str) -> str | None:
    """Istio's ValidateHTTPHeaderValue: no control character but tab, and well-formed %-expressions."""
    if any(ord(c) < 0x20 and c != "\t" or ord(c) == 0x7F for c in value):
        return f"header value configuration {value} is invalid"
    syntax = header_value_syntax_error(value)
    return f"header value configuration: {syntax}" if syntax else None


def export_to_errors(
    namespace: str, export_to: list[str], service_entry: bool = False, with_selector: bool = False
) -> list[tuple[int | None, str]]:
    """exportTo entries: ``.``, ``*``, a namespace, or ``~`` (ServiceEntry only); no duplicates.

    (index of the entry, text), or (None, text) for what is wrong with the list as a whole: Istio's
    texts name no entry (validateExportTo, visibility.Instance.Validate), so the entry's line does.
    """
    problems: list[tuple[int | None, str]] = []
    seen: set[str] = set()
    for index, entry in enumerate(export_to):
        key = namespace if entry == "." else entry
        if key in seen:
            problems.append((index, (
                f"duplicate entries in exportTo: . and current namespace {namespace}"
                if key != entry
                else f"duplicate entries in exportTo for entry {entry}"
            )))
            continue
        if service_entry and entry == "~":
            seen.add(key)
        elif key == "~":
            problems.append((index, "exportTo ~ (none) is not allowed for Istio configuration objects"))
        elif key == "*" or is_dns1123_label(key):
            seen.add(key)
        else:
            problems.append((index, "only .,*, or a valid DNS 1123 label is allowed as exportTo entry"))
    if with_selector and seen:
        if namespace in seen:
            if len(seen) > 1:
                problems.append((None, "destination rule with workload selector cannot have multiple entries in exportTo"))
        else:
            problems.append((None, "destination rule with workload selector cannot have exportTo beyond current namespace"))
    if "*" in seen and len(export_to) > 1:
        problems.append((None, "cannot have both public (*) and non-public exportTo values for a resource"))
    if "~" in seen and len(export_to) > 1:
        problems.append((None, "cannot export service entry to no one (~) and someone"))
    return problems


def gateway_names_errors(names: list[str]) -> list[tuple[int | None, str]]:
    """VirtualService gateway references (``mesh``, ``name`` or ``namespace/name``), as (index, text).

    validateGatewayNames (validation.go:2377) returns after the first name without a "/" (``mesh``
    included), so the names after it are not checked at all.
    """
    problems: list[tuple[int | None, str]] = []
    for index, name in enumerate(names):
        namespace, slash, gateway = name.partition("/")
        if not slash:
            problem = fqdn_error(name)
            return problems + ([(index, problem)] if problem else [])
        if not namespace or not gateway:
            problems.append((index, "config namespace and gateway name cannot be empty"))
        if not is_dns1123_label(namespace):
            problems.append((index, f"invalid value for namespace: {go_quote(namespace)}"))
        if not is_dns1123_label(gateway):
            problems.append((index, f"invalid value for gateway name: {go_quote(gateway)}"))
    return problems


def string_match_error(match: dict, where: str) -> str | None:
    """validateStringMatch: a prefix must not be empty; a regex must compile."""
    if "prefix" in match and match["prefix"] is not None and match["prefix"] == "":
        return f"{go_quote(where)}: prefix string match should not be empty"
    return regex_match_error(match, where)


def regex_match_error(match: dict, where: str) -> str | None:
    if match.get("regex") is None:
        return None
    if match["regex"] == "":
        return f"{go_quote(where)}: regex string match should not be empty"
    return regex_error(match["regex"], where)
