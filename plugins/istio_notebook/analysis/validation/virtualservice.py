"""VirtualService rules, as istio/istio pkg/config/validation/validation.go (ValidateVirtualService)
and virtualservice.go (validateHTTPRoute) check them."""

from __future__ import annotations

from istio_notebook.analysis.validation import values
from istio_notebook.analysis.validation.destinations import (
    check_destination,
    check_header_operations,
    check_weights,
)
from istio_notebook.analysis.validation.findings import (
    Findings,
    Path,
    entries,
    fields,
    items,
    present,
)
from istio_notebook.analysis.validation.hosts import (
    ip_subnet_error,
    is_dns1123_label,
    is_ip,
    wildcard_domain_error,
)
from istio_notebook.analysis.validation.http_actions import (
    check_authority_rewrite,
    check_cors,
    check_direct_response,
    check_fault,
    check_redirect,
    check_retries,
    check_rewrite,
)
from istio_notebook.config.hosts import host_subset_of, hosts_overlap


def check(spec: dict, found: Findings) -> None:
    hosts = items(spec.get("hosts"))
    gateways = items(spec.get("gateways"))
    at = ("spec",)
    delegate = not hosts
    if delegate:
        for name in ("gateways", "tls", "tcp"):
            if items(spec.get(name)):
                found.error(at + (name,), f"delegate virtual service must have no {_delegate_word(name)} specified")
    applies_to_gateway = any(g != "mesh" for g in gateways)
    applies_to_mesh = not gateways or not applies_to_gateway
    found.item_errors(at + ("gateways",), values.gateway_names_errors(gateways))
    _warn_legacy_gateway_name(gateways, at + ("gateways",), found)
    if not applies_to_gateway:
        _check_claim_routes(spec, gateways, found)

    all_valid = True
    for index, host in enumerate(hosts):
        problem = wildcard_domain_error(host)
        if problem and not is_ip(host):
            found.error(at + ("hosts", index), problem)
            all_valid = False
        elif not problem and applies_to_mesh and host == "*":
            found.error(at + ("hosts", index), "wildcard host * is not allowed for virtual services bound to the mesh gateway")
            all_valid = False
    if all_valid:
        for i, j in _overlapping_hosts(hosts):
            found.error(at + ("hosts", j), f"duplicate hosts in virtual service: {hosts[i]} & {hosts[j]}")

    http, tls, tcp = items(spec.get("http")), items(spec.get("tls")), items(spec.get("tcp"))
    if not (http or tls or tcp):
        found.error(at, "http, tcp or tls must be provided in virtual service")
    for index, route in enumerate(http):
        check_http_route(route, at + ("http", index), found, delegate)
    for index, route in enumerate(tls):
        _check_tls_route(route, at + ("tls", index), found, hosts, applies_to_gateway)
    for index, route in enumerate(tcp):
        _check_tcp_route(route, at + ("tcp", index), found)
    found.item_errors(at + ("exportTo",), values.export_to_errors(found.namespace, items(spec.get("exportTo"))))


def _overlapping_hosts(hosts: list[str]) -> list[tuple[int, int]]:
    """Index pairs (i < j) of hosts that overlap. Istio compares every pair; exact names are
    matched through a dict here and only wildcards against all, so a long list stays cheap."""
    pairs: set[tuple[int, int]] = set()
    first_seen: dict[str, int] = {}
    for index, host in enumerate(hosts):
        if not host.startswith("*"):
            if host in first_seen:
                pairs.add((first_seen[host], index))
            else:
                first_seen[host] = index
    for i, wildcard in enumerate(hosts):
        if wildcard.startswith("*"):
            pairs.update((min(i, j), max(i, j)) for j, other in enumerate(hosts) if j != i and hosts_overlap(wildcard, other))
    return sorted(pairs)


def _warn_legacy_gateway_name(names: list, at: Path, found: Findings) -> None:
    """validateGatewayNames warns about ``name.namespace`` references (validation.go:2385). It returns
    after the first name without a "/" (``mesh`` included), so only that name can warn. Istio drops
    this warning for HTTP and TCP match gateways (appendErrors), so only spec.gateways and TLS match
    gateways call this."""
    for index, name in enumerate(names):
        if "/" in name:
            continue
        if "." in name:
            parts = name.split(".")
            recommended = f"{parts[1]}/{parts[0]}"
            found.warning(
                at + (index,),
                f"using legacy gatewayName format {values.go_quote(name)}; prefer the <namespace>/<name> format: {values.go_quote(recommended)}",
            )
        return


def _delegate_word(name: str) -> str:
    return {"gateways": "gateways", "tls": "tls route", "tcp": "tcp route"}[name]


def _check_claim_routes(spec: dict, gateways: list, found: Findings) -> None:
    for r, route in enumerate(items(spec.get("http"))):
        for m, match in enumerate(items(route.get("match"))):
            for field in ("headers", "withoutHeaders"):
                for key in entries(match.get(field)):
                    if values.is_routing_claim(key):
                        found.error(
                            ("spec", "http", r, "match", m, field, key),
                            f"JWT claim based routing (key: {key}) is only supported for gateway, found no gateways: {gateways}",
                        )


def check_http_route(route: dict, at: Path, found: Findings, delegate: bool) -> None:
    _check_conflicts(route, at, found, delegate)
    _check_matches(route, at, found)
    check_header_operations(route.get("headers"), at + ("headers",), found)
    if present(route, "corsPolicy"):
        check_cors(route["corsPolicy"], at + ("corsPolicy",), found)
    if present(route, "fault"):
        check_fault(route["fault"], at + ("fault",), found)
    for field in ("mirrorPercent", "mirror_percent"):  # mirror_percent: the CRD's altName
        if present(route, field) and route[field] > 100:
            found.error(at + (field,), f"mirror_percent must have a max value of 100 (it has {route[field]})")
        if present(route, field):  # virtualservice.go:86
            found.warning(at + (field,), 'using deprecated setting "mirrorPercent", use "mirrorPercentage" instead')
    if present(route, "mirrorPercentage"):
        value = fields(route["mirrorPercentage"]).get("value") or 0
        if value > 100:
            found.error(at + ("mirrorPercentage", "value"), f"mirror_percentage must have a max value of 100 (it has {value:f})")
        if value < 0:
            found.error(at + ("mirrorPercentage", "value"), f"mirror_percentage must have a min value of 0 (it has {value:f})")
    if present(route, "mirror"):
        check_destination(route["mirror"], at + ("mirror",), found)
    for index, mirror in enumerate(items(route.get("mirrors"))):
        where = at + ("mirrors", index)
        check_destination(fields(mirror.get("destination")), where + ("destination",), found)
        value = fields(mirror.get("percentage")).get("value") or 0
        if value > 100:
            found.error(where + ("percentage", "value"), f"mirror percentage must have a max value of 100 (it has {value:f})")
        if value < 0:
            found.error(where + ("percentage", "value"), f"mirror percentage must have a min value of 0 (it has {value:f})")
    if present(route, "redirect"):
        check_redirect(route["redirect"], items(route.get("match")), at + ("redirect",), found)
    if present(route, "directResponse"):
        check_direct_response(route["directResponse"], at + ("directResponse",), found)
    if present(route, "retries"):
        check_retries(route["retries"], at + ("retries",), found)
    if present(route, "rewrite"):
        check_rewrite(route["rewrite"], at + ("rewrite",), found)
    check_authority_rewrite(route, at, found)
    check_weights(items(route.get("route")), at + ("route",), found, http=True)
    if present(route, "timeout"):
        found.errors(at + ("timeout",), [values.duration_error(route["timeout"])])


def _check_conflicts(route: dict, at: Path, found: Findings, delegate: bool) -> None:
    name = route.get("name") or ""
    has = {key: present(route, key) for key in ("redirect", "fault", "rewrite", "directResponse", "delegate", "mirror")}
    routes = items(route.get("route"))
    if has["delegate"] and not delegate:  # a root rule hands the request to another VirtualService
        if has["redirect"]:
            found.error(at + ("redirect",), f"root HTTP route {name} must not specify redirect")
        if route.get("route") is not None:
            found.error(at + ("route",), f"root HTTP route {name} must not specify route")
        return
    if delegate and has["delegate"]:
        found.error(at + ("delegate",), "delegate HTTP route cannot contain delegate")
    if has["redirect"]:
        if routes:
            found.error(at + ("route",), "HTTP route cannot contain both route and redirect")
        if has["fault"]:
            found.error(at + ("fault",), "HTTP route cannot contain both fault and redirect")
        if has["rewrite"]:
            found.error(at + ("rewrite",), "HTTP route rule cannot contain both rewrite and redirect")
        if has["directResponse"]:
            found.error(at + ("directResponse",), "HTTP route rule cannot contain both direct_response and redirect")
    elif has["directResponse"]:
        if routes:
            found.error(at + ("route",), "HTTP route cannot contain both route and direct_response")
        if has["fault"]:
            found.error(at + ("fault",), "HTTP route cannot contain both fault and direct_response")
        if has["rewrite"]:
            found.error(at + ("rewrite",), "HTTP route rule cannot contain both rewrite and direct_response")
    elif not routes:
        found.error(at, "HTTP route, redirect or direct_response is required")
    if has["mirror"] and items(route.get("mirrors")):
        found.error(at + ("mirrors",), "HTTP route cannot contain both mirror and mirrors")


def _check_matches(route: dict, at: Path, found: Findings) -> None:
    for index, match in enumerate(items(route.get("match"))):
        where = at + ("match", index)
        for name, header in entries(match.get("headers")).items():
            found.errors(where + ("headers", name), [values.header_name_error(name), values.string_match_error(header, "headers")])
        for name, header in entries(match.get("withoutHeaders")).items():
            problems = [values.header_name_error(name)]
            if header.get("regex") != "*":
                problems.append(values.string_match_error(header, "withoutHeaders"))
            found.errors(where + ("withoutHeaders", name), problems)
        if present(match, "uri"):
            found.errors(where + ("uri",), [values.regex_match_error(match["uri"], "uri")])
        for field in ("scheme", "method", "authority"):
            if present(match, field):
                found.errors(where + (field,), [values.string_match_error(match[field], field)])
        for name, param in entries(match.get("queryParams")).items():
            found.errors(where + ("queryParams", name), [values.string_match_error(param, "queryParams")])
        _check_l4_match_fields(match, where, found)
        namespace = match.get("sourceNamespace")
        if namespace and not is_dns1123_label(namespace):
            found.error(where + ("sourceNamespace",), f"sourceNamespace match {namespace} is invalid")


def _check_l4_match_fields(match: dict, where: Path, found: Findings) -> None:
    """port, sourceLabels and gateways: the same rules for HTTP, TLS and TCP matches."""
    if match.get("port"):
        found.errors(where + ("port",), [values.port_error(match["port"])])
    found.errors(where + ("sourceLabels",), values.label_errors(entries(match.get("sourceLabels"))))
    found.item_errors(where + ("gateways",), values.gateway_names_errors(items(match.get("gateways"))))


def _check_tls_route(route: dict, at: Path, found: Findings, hosts: list, gateway: bool) -> None:
    matches = items(route.get("match"))
    if not matches:
        found.error(at + ("match",), "TLS route must have at least one match condition")
    for index, match in enumerate(matches):
        where = at + ("match", index)
        sni_hosts = items(match.get("sniHosts"))
        if not sni_hosts:
            found.error(where + ("sniHosts",), "TLS match must have at least one SNI host")
        for h, sni in enumerate(sni_hosts):
            _check_sni_host(sni, hosts, where + ("sniHosts", h), found, gateway)
        for s, subnet in enumerate(items(match.get("destinationSubnets"))):
            found.errors(where + ("destinationSubnets", s), [ip_subnet_error(subnet)])
        _check_l4_match_fields(match, where, found)
        _warn_legacy_gateway_name(items(match.get("gateways")), where + ("gateways",), found)
    if not items(route.get("route")):
        found.error(at + ("route",), "TLS route is required")
    check_weights(items(route.get("route")), at + ("route",), found, http=False)


def _check_sni_host(sni: str, hosts: list, at: Path, found: Findings, gateway: bool) -> None:
    problem = None if gateway and sni.startswith("outbound_") else wildcard_domain_error(sni)
    if problem:
        if is_ip(sni):  # validation.go:2287: accepted, with a warning
            found.warning(at, f"using an IP address ({values.go_quote(sni)}) goes against SNI spec and most clients do not support this")
        else:
            found.error(at, problem)
        return
    if not any(host_subset_of(sni, host) for host in hosts):
        found.error(at, f"SNI host {values.go_quote(sni)} is not a compatible subset of any of the virtual service hosts: [{', '.join(hosts)}]")


def _check_tcp_route(route: dict, at: Path, found: Findings) -> None:
    for index, match in enumerate(items(route.get("match"))):
        where = at + ("match", index)
        for s, subnet in enumerate(items(match.get("destinationSubnets"))):
            found.errors(where + ("destinationSubnets", s), [ip_subnet_error(subnet)])
        _check_l4_match_fields(match, where, found)
    if not items(route.get("route")):
        found.error(at + ("route",), "TCP route is required")
    check_weights(items(route.get("route")), at + ("route",), found, http=False)
