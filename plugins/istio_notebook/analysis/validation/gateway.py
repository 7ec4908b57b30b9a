"""Gateway servers: ValidateGateway / validateServer in istio/istio pkg/config/validation/validation.go."""

from __future__ import annotations

from istio_notebook.analysis.validation import values
from istio_notebook.analysis.validation.findings import (
    Findings,
    Path,
    fields,
    items,
    present,
)
from istio_notebook.analysis.validation.hosts import (
    is_dns1123_label,
    is_ip,
    namespace_host_errors,
)
from istio_notebook.analysis.validation.servertls import check_server_tls

UNIX_PREFIX = "unix://"


def check(spec: dict, found: Findings) -> None:
    name = found.resource.name
    if not is_dns1123_label(name):
        found.error(("metadata", "name"), f"invalid gateway name: {values.go_quote(name)}")
    servers = items(spec.get("servers"))
    if not servers:
        found.error(("spec",), "gateway must have at least one server")
    port_names: set[str] = set()
    for index, server in enumerate(servers):
        at = ("spec", "servers", index)
        _check_server(server, at, found)
        port = fields(server.get("port"))
        if present(server, "port"):
            port_name = port.get("name") or ""
            if port_name in port_names:
                found.error(at + ("port", "name"), f"port names in servers must be unique: duplicate name {port_name}")
            port_names.add(port_name)
            if fields(server.get("tls")).get("httpsRedirect") and not values.protocol_is_http(port.get("protocol") or ""):
                # validation.go:448: HTTPS servers too; the redirect is meant for plain-text HTTP listeners
                found.warning(at + ("tls", "httpsRedirect"), "tls.httpsRedirect should only be used with http servers")


def _check_server(server: dict, at: Path, found: Findings) -> None:
    hosts = items(server.get("hosts"))
    if not hosts:
        found.error(at + ("hosts",), "server config must contain at least one host")
    for index, host in enumerate(hosts):
        found.errors(at + ("hosts", index), namespace_host_errors(host, gateway=True))
    port, bind = fields(server.get("port")), server.get("bind") or ""
    port_ok = _check_port(port, bind, at + ("port",), found) if present(server, "port") else False
    if bind.startswith(UNIX_PREFIX):
        path = bind[len(UNIX_PREFIX) :]
        found.errors(at + ("bind",), [unix_address_error(path)])
        if port.get("number"):
            found.error(at + ("port", "number"), "port number must be 0 for unix domain socket")
    elif bind and not is_ip(bind):
        found.error(at + ("bind",), f"{bind} is not a valid IP")
    tls = server.get("tls")
    if tls is not None:
        check_server_tls(tls, at + ("tls",), found)
    if port_ok:
        protocol = port.get("protocol") or ""
        if values.protocol_is_tls(protocol) and tls is None:
            found.error(at, "server must have TLS settings for HTTPS/TLS protocols")
        elif not values.protocol_is_tls(protocol) and tls is not None:
            if values.protocol_is_http(protocol):
                plain_redirect = _passthrough(tls) and not (
                    tls.get("caCertificates") or tls.get("privateKey") or tls.get("serverCertificate")
                )
                if not plain_redirect:
                    found.error(at + ("tls",), "server cannot have TLS settings for plain text HTTP ports")
            else:
                found.error(at + ("tls",), "server cannot have TLS settings for non HTTPS/TLS ports")


def _passthrough(tls: dict) -> bool:
    # gateway.IsPassThroughServer: mode PASSTHROUGH or AUTO_PASSTHROUGH (PASSTHROUGH is the default).
    return (tls.get("mode") or "PASSTHROUGH") in ("PASSTHROUGH", "AUTO_PASSTHROUGH")


def _check_port(port: dict, bind: str, at: Path, found: Findings) -> bool:
    before = len(found.diagnostics)
    protocol = port.get("protocol") or ""
    if not values.protocol_is_known(protocol):
        found.error(
            at + ("protocol",),
            f"invalid protocol {values.go_quote(protocol)}, supported protocols are HTTP, HTTP2, GRPC, GRPC-WEB, MONGO, REDIS, MYSQL, TCP",
        )
    number = port.get("number") or 0
    if number > 0 or not bind.startswith(UNIX_PREFIX):
        found.errors(at + ("number",), [values.port_error(number)])
    if port.get("targetPort"):
        found.error(at + ("targetPort",), "targetPort has no impact on Gateways")
    if not port.get("name"):
        found.error(at + ("name",), "port name must be set")
    return len(found.diagnostics) == before


def unix_address_error(path: str) -> str | None:
    if not path:
        return "unix address must not be empty"
    if path.startswith("@"):
        return None  # abstract socket
    if not path.startswith("/") or path.endswith("/"):
        return f"{path} is not an absolute path to a file"
    return None
