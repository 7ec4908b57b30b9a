"""The value checks istioctl runs on Istio's Pod annotations (IST0125's problem text).

As pkg/kube/inject/validate.go ``AnnotationValidation`` (tag 1.30.3), which
``annotations.K8sAnalyzer`` calls for each known annotation on the kind it belongs to; each
function returns the Go error's text, or None. Port lists are split on ``,`` and each port is
trimmed; CIDR lists are split on ``,`` and not trimmed; ``*`` means "all" where istiod allows it.
``proxy.istio.io/config`` is read by :mod:`.proxy_config`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from istio_notebook.analysis.analyzers.annotations.proxy_config import proxy_config_error
from istio_notebook.analysis.validation.gostrconv import go_trim_space, parse_bool_error, parse_uint_error
from istio_notebook.analysis.validation.kubequantity import quantity_error
from istio_notebook.config.goformat import go_quote
from istio_notebook.config.gonetip import parse_prefix_error

# pkg/util/net/ip.go interfaceNameRegex; Linux's IFNAMSIZ leaves 15 characters.
_INTERFACE = re.compile(r"[a-zA-Z][a-zA-Z0-9_.\-]*\Z")


def _interception_mode(value: str) -> str | None:
    if value in ("REDIRECT", "TPROXY", "NONE"):
        return None
    return f"interceptionMode invalid, use REDIRECT,TPROXY,NONE: {value}"


def _port_error(text: str) -> str | None:
    """parsePort: a uint16 after trimming spaces (Go's strings.TrimSpace)."""
    problem = parse_uint_error(go_trim_space(text), 16)
    return None if problem is None else f"failed parsing port '{text}': {problem}"


def _port_list_error(name: str, ports: str) -> str | None:
    """validatePortList: parsePorts wraps parsePort's error once more."""
    trimmed = go_trim_space(ports)
    if not trimmed:
        return None
    for port in trimmed.split(","):
        problem = _port_error(port)
        if problem is not None:
            return f"{name} invalid: failed parsing port '{port}': {problem}"
    return None


def _status_port(value: str) -> str | None:
    problem = _port_error(value)
    # validate.go names the wrong annotation here; istioctl prints it so.
    return None if problem is None else f"excludeInboundPorts invalid: {problem}"


def _cidr_list_error(name: str, cidrs: str) -> str | None:
    for cidr in cidrs.split(",") if cidrs else ():
        problem = parse_prefix_error(cidr)
        if problem is not None:
            return f"{name} invalid: failed parsing cidr '{cidr}': {problem}"
    return None


def _interfaces(value: str) -> str | None:
    """pkg/util/net ValidateInterfaceNames."""
    for name in value.split(",") if value else ():
        name = go_trim_space(name)
        if not name:
            return "empty interface name"
        if len(name) > 15:
            return f"interface name {go_quote(name)} too long (max 15 chars)"
        if not _INTERFACE.match(name):
            return f"interface name {go_quote(name)} contains invalid characters"
    return None


def _quantity(value: str) -> str | None:
    # unicode.IsControl: the C0 and C1 control characters.
    if any(unicodedata.category(char) == "Cc" for char in value):
        return "value contains control characters"
    return quantity_error(value)


def _include_ip_ranges(value: str) -> str | None:
    return None if value == "*" else _cidr_list_error("includeIPRanges", value)


def _include_inbound_ports(value: str) -> str | None:
    return None if value == "*" else _port_list_error("includeInboundPorts", value)


CHECKS: dict[str, Callable[[str], str | None]] = {
    "sidecar.istio.io/interceptionMode": _interception_mode,
    "status.sidecar.istio.io/port": _status_port,
    "readiness.status.sidecar.istio.io/initialDelaySeconds": lambda v: parse_uint_error(v, 32),
    "readiness.status.sidecar.istio.io/periodSeconds": lambda v: parse_uint_error(v, 32),
    "readiness.status.sidecar.istio.io/failureThreshold": lambda v: parse_uint_error(v, 32),
    "traffic.sidecar.istio.io/includeOutboundIPRanges": _include_ip_ranges,
    "traffic.sidecar.istio.io/excludeOutboundIPRanges": lambda v: _cidr_list_error("excludeIPRanges", v),
    "traffic.sidecar.istio.io/includeInboundPorts": _include_inbound_ports,
    "traffic.sidecar.istio.io/excludeInboundPorts": lambda v: _port_list_error("excludeInboundPorts", v),
    "traffic.sidecar.istio.io/excludeOutboundPorts": lambda v: _port_list_error("excludeOutboundPorts", v),
    "traffic.sidecar.istio.io/excludeInterfaces": _interfaces,
    "traffic.sidecar.istio.io/kubevirtInterfaces": _interfaces,
    "istio.io/reroute-virtual-interfaces": _interfaces,
    "prometheus.istio.io/merge-metrics": parse_bool_error,
    "proxy.istio.io/config": proxy_config_error,
    "sidecar.istio.io/proxyCPU": _quantity,
    "sidecar.istio.io/proxyMemory": _quantity,
    "sidecar.istio.io/proxyCPULimit": _quantity,
    "sidecar.istio.io/proxyMemoryLimit": _quantity,
}


def value_problem(annotation: str, value: object) -> str | None:
    """Why istiod's injector would refuse ``value`` for ``annotation``, or None (also for
    annotations it does not check, and for non-string values, which the schema reports)."""
    check = CHECKS.get(annotation)
    if check is None or not isinstance(value, str):
        return None
    return check(value)
