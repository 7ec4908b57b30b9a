"""Sidecar: ValidateSidecar in istio/istio pkg/config/validation/validation.go."""

from __future__ import annotations

from istio_notebook.config.decimal import decimal_value
from istio_notebook.analysis.validation import values
from istio_notebook.analysis.validation.destinations import check_destination
from istio_notebook.analysis.validation.findings import (
    Findings,
    Path,
    fields,
    items,
    present,
)
from istio_notebook.analysis.validation.gateway import UNIX_PREFIX, unix_address_error
from istio_notebook.analysis.validation.hosts import (
    fqdn_error,
    is_ip,
    namespace_host_errors,
)
from istio_notebook.analysis.validation.selectors import (
    check_workload_selector,
    warn_selector_without_labels,
)
from istio_notebook.analysis.validation.servertls import check_server_tls
from istio_notebook.analysis.validation.trafficpolicy import check_connection_pool

_LOOPBACK_OR_ANY = {"127.0.0.1", "0.0.0.0", "::1", "::"}


def check(spec: dict, found: Findings) -> None:
    at = ("spec",)
    before = len(found.diagnostics)
    if present(spec, "workloadSelector"):
        check_workload_selector(spec["workloadSelector"], at + ("workloadSelector",), found, labels_field="labels")
    if len(found.diagnostics) > before:
        return  # Istio returns the selector's error alone (validation.go:785-788)
    ingress, egress = items(spec.get("ingress")), items(spec.get("egress"))
    if not ingress and not egress and not present(spec, "outboundTrafficPolicy") and not present(spec, "inboundConnectionPool"):
        found.error(at, "sidecar: empty configuration provided")  # returned alone, without the warning below
        return
    if present(spec, "workloadSelector"):
        warn_selector_without_labels(
            spec["workloadSelector"],
            at + ("workloadSelector",),
            found,
            labels_field="labels",
            template="sidecar: {}, will be applied to all services in namespace",
        )
    ports: set[int] = set()
    for index, listener in enumerate(ingress):
        _check_ingress(listener, at + ("ingress", index), found, ports)
    if present(spec, "inboundConnectionPool"):
        check_connection_pool(spec["inboundConnectionPool"], at + ("inboundConnectionPool",), found)
    _check_egress(egress, found)
    if present(spec, "outboundTrafficPolicy"):
        _check_outbound_policy(spec["outboundTrafficPolicy"], at + ("outboundTrafficPolicy",), found)


def _check_ingress(listener: dict, at: Path, found: Findings, ports: set[int]) -> None:
    port = fields(listener.get("port"))
    if port.get("targetPort"):
        found.error(at + ("port", "targetPort"), "targetPort has no impact on Sidecars")
    _check_port(port, at + ("port",), found)
    bind = listener.get("bind") or ""
    if bind and not is_ip(bind):
        found.error(at + ("bind",), f"{bind} is not a valid IP")
    number = port.get("number") or 0
    if number in ports:
        found.error(at + ("port", "number"), "sidecar: ports on IP bound listeners must be unique")
    ports.add(number)
    endpoint = listener.get("defaultEndpoint") or ""
    if endpoint:
        found.errors(at + ("defaultEndpoint",), _default_endpoint_errors(endpoint))
    tls = listener.get("tls")
    if tls is not None:
        where = at + ("tls",)
        for field, text in (
            ("subjectAltNames", "sidecar: subjectAltNames is not supported in ingress tls"),
            ("httpsRedirect", "sidecar: httpsRedirect is not supported"),
            ("credentialName", "sidecar: credentialName is not currently supported"),
            ("credentialNames", "sidecar: credentialNames is not currently supported"),
            ("tlsCertificates", "sidecar: tls_certificates is not currently supported"),
        ):
            if tls.get(field):
                found.error(where + (field,), text)
        if tls.get("mode") in ("ISTIO_MUTUAL", "AUTO_PASSTHROUGH"):
            found.error(where + ("mode",), f"configuration is invalid: cannot set mode to {tls['mode']} in sidecar ingress tls")
        if not values.protocol_is_tls(port.get("protocol") or ""):
            found.error(where, "server cannot have TLS settings for non HTTPS/TLS ports")
        check_server_tls(tls, where, found)
    if present(listener, "connectionPool"):
        check_connection_pool(listener["connectionPool"], at + ("connectionPool",), found)
        protocol = port.get("protocol") or ""
        if present(listener["connectionPool"], "http") and not values.protocol_is_http(protocol):  # validation.go:875
            found.warning(
                at + ("connectionPool", "http"),
                f"sidecar: HTTP connection pool settings are configured for port {number} ({values.go_quote(port.get('name') or '')}) "
                f"but its protocol is not HTTP ({protocol}); only TCP settings will apply",
            )


def _default_endpoint_errors(endpoint: str) -> list[str]:
    if endpoint.startswith(UNIX_PREFIX):
        problem = unix_address_error(endpoint[len(UNIX_PREFIX) :])
        return [problem] if problem else []
    host, colon, port = endpoint.rpartition(":")
    if not colon:
        return [f"address {endpoint}: missing port in address"]
    host = host.removeprefix("[").removesuffix("]")
    problems = []
    if host and host not in _LOOPBACK_OR_ANY:
        problems.append(
            "sidecar: defaultEndpoint must be of form 127.0.0.1:<port>,0.0.0.0:<port>,[::1]:port,[::]:port,unix://filepath or unset"
        )
    number = decimal_value(port)
    if number is None:
        problems.append(f"sidecar: defaultEndpoint port ({port}) is not a number")
    else:
        problems.append(values.port_error(number))
    return [p for p in problems if p]


def _check_port(port: dict, at: Path, found: Findings) -> None:
    if port.get("name"):
        found.errors(at + ("name",), [values.port_name_error(port["name"])])
    found.errors(at + ("protocol",), [values.protocol_error(port.get("protocol") or "")])
    found.errors(at + ("number",), [values.port_error(port.get("number") or 0)])


def _check_egress(egress: list, found: Findings) -> None:
    catch_all = False
    ports: set[int] = set()
    sockets: set[str] = set()
    for index, listener in enumerate(egress):
        at = ("spec", "egress", index)
        if not present(listener, "port"):
            if catch_all:
                found.error(at, "sidecar: egress can have only one listener with empty port")
                continue
            if index == len(egress) - 1:
                catch_all = True
            else:
                found.error(at, "sidecar: the egress listener with empty port should be the last listener in the list")
        else:
            port, bind = listener["port"], listener.get("bind") or ""
            if port.get("targetPort"):
                found.error(at + ("port", "targetPort"), "targetPort has no impact on Sidecars")
            number = port.get("number") or 0
            if number == 0:
                if port.get("name"):
                    found.errors(at + ("port", "name"), [values.port_name_error(port["name"])])
                found.errors(at + ("port", "protocol"), [values.protocol_error(port.get("protocol") or "")])
                if not bind.startswith(UNIX_PREFIX):
                    found.error(at + ("bind",), "sidecar: ports with 0 value must have a unix domain socket bind address")
                else:
                    found.errors(at + ("bind",), [unix_address_error(bind[len(UNIX_PREFIX) :])])
                if (listener.get("captureMode") or "DEFAULT") not in ("DEFAULT", "NONE"):
                    found.error(at + ("captureMode",), "sidecar: captureMode must be DEFAULT/NONE for unix domain socket listeners")
                if bind in sockets:
                    found.error(at + ("bind",), "sidecar: unix domain socket values for listeners must be unique")
                sockets.add(bind)
            else:
                _check_port(port, at + ("port",), found)
                if bind and not is_ip(bind):
                    found.error(at + ("bind",), f"{bind} is not a valid IP")
                if number in ports:
                    found.error(at + ("port", "number"), "sidecar: ports on IP bound listeners must be unique")
                ports.add(number)
        hosts = items(listener.get("hosts"))
        if not hosts:
            found.error(at + ("hosts",), "sidecar: egress listener must contain at least one host")
        for h, host in enumerate(hosts):
            found.errors(at + ("hosts", h), namespace_host_errors(host, gateway=False))
        _warn_duplicate_hosts(hosts, at + ("hosts",), found)


def _warn_duplicate_hosts(hosts: list, at: Path, found: Findings) -> None:
    """validation.go:940-967: repeated ns/host entries are accepted (a TODO there plans to refuse them)."""
    services: dict[str, set[str]] = {}  # namespace → hosts listed for it, "*" included
    for index, hostname in enumerate(hosts):
        namespace, slash, host = hostname.partition("/")
        if not slash:
            continue
        namespace = found.namespace if namespace == "." else namespace
        seen = services.setdefault(namespace, set())
        # a host after the same host or after ns/*; ns/* after anything for that namespace
        duplicate = bool(seen) if host == "*" else host in seen or "*" in seen
        if duplicate:
            found.warning(at + (index,), f"duplicated egress host: {hostname}")
        seen.add(host)
    if "*" in services.get("*", ()) and len(services) != 1:
        found.warning(at + (hosts.index("*/*"),), "`*/*` host select all resources, no other hosts can be added")


def _check_outbound_policy(policy: dict, at: Path, found: Findings) -> None:
    proxy = policy.get("egressProxy")
    if proxy is None:
        return
    if (policy.get("mode") or "REGISTRY_ONLY") != "ALLOW_ANY":
        found.error(at + ("egressProxy",), "sidecar: egress_proxy must be set only with ALLOW_ANY outbound_traffic_policy mode")
        return
    found.errors(at + ("egressProxy", "host"), [fqdn_error(proxy.get("host") or "")])
    if not present(proxy, "port"):
        found.error(at + ("egressProxy",), "sidecar: egress_proxy port must be non-nil")
        return
    check_destination(proxy, at + ("egressProxy",), found)
