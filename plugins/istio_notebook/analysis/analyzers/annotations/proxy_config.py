"""``proxy.istio.io/config``: the ProxyConfig a Pod overrides, as istioctl checks it (IST0125).

pkg/kube/inject/validate.go ``validateProxyConfig`` (tag 1.30.3) applies the YAML over
``mesh.DefaultProxyConfig()`` (protomarshal.ApplyYAML: unknown fields allowed; camelCase or
proto names) and runs agent ``ValidateMeshConfigProxyConfig`` on the result. The defaults are
valid, so only fields the annotation sets can fail. Judged here: a value that is not a YAML
mapping; ``configPath``, ``binaryPath`` and ``serviceCluster`` set empty; ``drainDuration``
(≥ 1ms, whole seconds); ``discoveryAddress`` (empty, or not host:port); ``statsdUdpAddress``,
``envoyMetricsServiceAddress``, ``envoyMetricsService.address`` and
``envoyAccessLogService.address`` (host:port); ``proxyAdminPort`` and ``statusPort``
(1..65535); ``controlPlaneAuthPolicy`` ``INHERIT``. Not judged: values of the wrong JSON type
(jsonpb's own errors), tracing collectors and the private key provider. The errors are joined
as go-multierror lists them, on one line (``1 error occurred: * ...``).
"""

from __future__ import annotations

from typing import Any

import yaml

from istio_notebook.analysis.validation.hosts import fqdn_error
from istio_notebook.analysis.validation.values import port_error
from istio_notebook.config.durations import MILLISECOND, NANOS_PER_SECOND, duration_nanos
from istio_notebook.config.goformat import go_quote
from istio_notebook.config.gonetip import parse_addr_error
from istio_notebook.libyaml import SafeLoader

_JSON_TYPES = {"str": "string", "int": "number", "float": "number", "bool": "bool", "list": "array"}


def _scalars(value: str) -> dict[str, Any] | str:
    """The top-level mapping's scalar entries (and one level below), or the conversion error.

    Composed, not constructed: aliases stay shared nodes, so an alias bomb costs nothing.
    """
    loader = SafeLoader(value)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}
        if not isinstance(node, yaml.MappingNode):
            kind = type(loader.construct_object(node, deep=False)).__name__ if isinstance(node, yaml.ScalarNode) else "list"
            return f"json: cannot unmarshal {_JSON_TYPES.get(kind, 'object')} into Go value of type map[string]json.RawMessage"
        return _mapping(loader, node, depth=2)
    except yaml.YAMLError as err:
        return f"error converting YAML to JSON: yaml: {getattr(err, 'problem', None) or err}"
    finally:
        loader.dispose()


def _mapping(loader: Any, node: yaml.MappingNode, depth: int) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, item in node.value:
        if not isinstance(key, yaml.ScalarNode):
            continue
        if isinstance(item, yaml.ScalarNode):
            found[key.value] = loader.construct_object(item, deep=False)
        elif isinstance(item, yaml.MappingNode) and depth > 1:
            found[key.value] = _mapping(loader, item, depth - 1)
    return found


def _get(config: dict[str, Any], camel: str, snake: str) -> Any:
    return config[camel] if camel in config else config.get(snake)


def split_host_port(address: str) -> tuple[str, str] | str:
    """Go's net.SplitHostPort: (host, port), or the AddrError text."""
    def fail(why: str) -> str:
        return f"address {address}: {why}"

    last = address.rfind(":")
    if last < 0:
        return fail("missing port in address")
    start, after = 0, 0
    if address.startswith("["):
        end = address.find("]")
        if end < 0:
            return fail("missing ']' in address")
        if end + 1 == len(address):
            return fail("missing port in address")
        if end + 1 != last:
            return fail("too many colons in address" if address[end + 1] == ":" else "missing port in address")
        host, start, after = address[1:end], 1, end + 1
    else:
        host = address[:last]
        if ":" in host:
            return fail("too many colons in address")
    if "[" in address[start:]:
        return fail("unexpected '[' in address")
    if "]" in address[after:]:
        return fail("unexpected ']' in address")
    return host, address[last + 1 :]


def proxy_address_error(address: str) -> str | None:
    """agent.ValidateProxyAddress: host:port, the port a number in 1..65535, the host an FQDN or IP."""
    split = split_host_port(address)
    if isinstance(split, str):
        return f"unable to split {go_quote(address)}: {split}"
    host, port = split
    digits = port[1:] if port[:1] in ("+", "-") else port
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 18:
        return f"port ({port}) is not a number: strconv.Atoi: parsing {go_quote(port)}: invalid syntax"
    problem = port_error(int(port))
    if problem:
        return problem
    if fqdn_error(host) and parse_addr_error(host):
        return f"{go_quote(host)} is not a valid hostname or an IP address"
    return None


def _drain_errors(text: Any) -> list[str]:
    nanos = duration_nanos(text) if isinstance(text, str) else None
    if nanos is None:
        return []  # not a protobuf JSON duration: jsonpb's error, not judged here
    if nanos < MILLISECOND:
        return ["invalid drain duration: duration must be greater than 1ms"]
    if nanos % MILLISECOND:
        return ["invalid drain duration: only durations to ms precision are supported"]
    return [] if nanos % NANOS_PER_SECOND == 0 else ["drain time only supports durations to seconds precision"]


def _address_errors(config: dict[str, Any]) -> list[str]:
    errors: list[str] = []
    discovery = _get(config, "discoveryAddress", "discovery_address")
    if discovery == "":
        errors.append("discovery address must be set to the proxy discovery service")
    elif isinstance(discovery, str) and (problem := proxy_address_error(discovery)):
        errors.append(f"invalid discovery address: {problem}")
    statsd = _get(config, "statsdUdpAddress", "statsd_udp_address")
    if isinstance(statsd, str) and statsd and (problem := proxy_address_error(statsd)):
        errors.append(f"invalid statsd udp address {go_quote(statsd)}: {problem}")
    metrics = _get(config, "envoyMetricsServiceAddress", "envoy_metrics_service_address")
    if isinstance(metrics, str) and metrics and (problem := proxy_address_error(metrics)):
        errors.append(f"invalid envoy metrics service address {go_quote(metrics)}: {problem}")
    for camel, snake, what in (
        ("envoyMetricsService", "envoy_metrics_service", "envoy metrics service"),
        ("envoyAccessLogService", "envoy_access_log_service", "envoy access log service"),
    ):
        service = _get(config, camel, snake)
        address = service.get("address") if isinstance(service, dict) else None
        if isinstance(address, str) and address and (problem := proxy_address_error(address)):
            errors.append(f"invalid {what} address {go_quote(address)}: {problem}")
    return errors


def _config_errors(config: dict[str, Any]) -> list[str]:
    """ValidateMeshConfigProxyConfig's errors, in its order, for the fields the annotation sets."""
    errors: list[str] = []
    if _get(config, "configPath", "config_path") == "":
        errors.append("config path must be set")
    if _get(config, "binaryPath", "binary_path") == "":
        errors.append("binary path must be set")
    if _get(config, "serviceCluster", "service_cluster") == "" and _get(config, "tracingServiceName", "tracing_service_name") is None:
        errors.append("service cluster must be specified")
    errors += _drain_errors(_get(config, "drainDuration", "drain_duration"))
    errors += _address_errors(config)
    admin = _get(config, "proxyAdminPort", "proxy_admin_port")
    if isinstance(admin, int) and not isinstance(admin, bool) and (problem := port_error(admin)):
        errors.append(f"invalid proxy admin port: {problem}")
    if _get(config, "controlPlaneAuthPolicy", "control_plane_auth_policy") == "INHERIT":
        errors.append('invalid authentication policy: unrecognized control plane auth policy "INHERIT"')
    status = _get(config, "statusPort", "status_port")
    if isinstance(status, int) and not isinstance(status, bool) and (problem := port_error(status)):
        errors.append(f"invalid status port: {problem}")
    return errors


def multierror_text(errors: list[str]) -> str:
    """go-multierror's ListFormatFunc, its newlines and tabs as single spaces."""
    if len(errors) == 1:
        return f"1 error occurred: * {errors[0]}"
    return f"{len(errors)} errors occurred: " + " ".join(f"* {e}" for e in errors)


def proxy_config_error(value: str) -> str | None:
    config = _scalars(value)
    if isinstance(config, str):
        return f"failed to convert to apply proxy config: {config}"
    errors = _config_errors(config)
    return multierror_text(errors) if errors else None
