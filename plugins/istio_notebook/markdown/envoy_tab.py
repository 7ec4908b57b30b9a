"""The "Envoy" tab of a YAML example: what its resources became in the Envoy configuration of a proxy.

The Istio → Envoy mapping, live (issue 5): a VirtualService bound to the mesh is shown in a
sidecar of its namespace, a gateway-bound one and a Gateway in that gateway, a DestinationRule
or ServiceEntry in a sidecar of its namespace. Each proxy's configuration is translated once
per page scenario (``translate.envoy_config``) and each resource's part is cut out of it
(``excerpt.excerpt``); the result is plain text kept in the prepared page (``checker.PreparedPage.envoy``), so it
is cached with the report and a warm build only pastes it in. Never raises: a failure becomes
an :class:`EnvoyExcerpt` with ``error`` set, reported with page:line among the page's failures.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import yaml

from istio_notebook.config import Resource
from istio_notebook.examples.run import PageReport, Scenario
from istio_notebook.markdown.parallel import LinePair, Parallel, parallel

KINDS = ("VirtualService", "DestinationRule", "Gateway", "ServiceEntry")
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml when present: the dump is most of the cost
_SHOWN_NAMES = 4  # names listed in a caption before "ほか N 件"


@dataclass(frozen=True)
class EnvoyExcerpt:
    resource: str  # "Kind ns/name", as istioctl prints it
    caption: str  # one Japanese line naming the proxy and the Envoy objects
    text: str = ""  # the excerpt as YAML; empty when nothing was produced or on error
    error: str = ""  # why the excerpt could not be produced
    # The parallel view (markdown/parallel.py), for the kinds the translator attributes: ``text``
    # holds only what the example's fields produced, ``defaults`` what Istio wrote of its own.
    defaults: str = ""
    pairs: tuple[LinePair, ...] = ()


def proxy_for(resource: Resource, mesh=None):
    """The proxy whose configuration shows what ``resource`` became (see the module docstring).

    A delegate VirtualService (no ``hosts``) is shown where the root that delegates to it is.
    """
    from istio_notebook.routing import Proxy

    if resource.kind == "Gateway":
        return Proxy.gateway(resource.namespace, resource.name)
    if resource.kind == "VirtualService" and not resource.spec.get("hosts") and mesh is not None:
        root = _delegating_root(resource, mesh)
        if root is not None:
            return proxy_for(root)
    if resource.kind == "VirtualService":
        gateways = [str(g) for g in resource.spec.get("gateways") or []]
        if gateways and "mesh" not in gateways:
            namespace, _, name = gateways[0].rpartition("/")
            return Proxy.gateway(namespace or resource.namespace, name)
    return Proxy.sidecar(resource.namespace)


def _delegating_root(delegate: Resource, mesh) -> Resource | None:
    for root in mesh.of_kind("VirtualService"):
        for rule in root.spec.get("http") or []:
            target = rule.get("delegate") if isinstance(rule, dict) else None
            if isinstance(target, dict) and target.get("name") == delegate.name and (target.get("namespace") or root.namespace) == delegate.namespace:
                return root
    return None


def proxy_label(proxy) -> str:
    if proxy.kind == "gateway":
        return f"ゲートウェイ {proxy.namespace}/{proxy.name} の"
    return f"名前空間 {proxy.namespace} のサイドカーの"


def page_excerpts(report: PageReport) -> dict[int, list[EnvoyExcerpt]]:
    """Example line → the Envoy excerpts of its resources, for each verified scenario example of the page.

    ``report`` must still hold its scenarios (not ``detached()``): their meshes are translated here.
    """
    found: dict[int, list[EnvoyExcerpt]] = {}
    for scenario in report.scenarios.values():
        configs: dict = {}  # proxy → bootstrap (or the exception), once per scenario
        for block in scenario.blocks:
            result = report.examples.get(block.example.line)
            if result is None or result.status != "verified":
                continue
            shown = [_excerpt(scenario, configs, r, block.example.body_line) for r in block.resources if r.kind in KINDS]
            if shown:
                found[block.example.line] = shown
    return found


def _excerpt(scenario: Scenario, configs: dict, resource: Resource, first_line: int) -> EnvoyExcerpt:
    try:
        proxy = proxy_for(resource, scenario.mesh)
        where = proxy_label(proxy)
        if proxy not in configs:
            configs[proxy] = _config(scenario, proxy)
        config = configs[proxy]
        if isinstance(config, Exception):
            raise config
        from istio_notebook.envoy.excerpt import excerpt

        part = excerpt(config, resource)
        caption, shown = _describe(resource, where, part)
        mapped = _parallel(scenario, proxy, resource, shown, first_line) if _has_content(shown) else None
        if mapped is not None:
            return EnvoyExcerpt(resource.origin, caption, mapped.text, defaults=mapped.defaults, pairs=mapped.pairs)
        text = yaml.dump(shown, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=120) if _has_content(shown) else ""
        return EnvoyExcerpt(resource.origin, caption, text)
    except Exception as error:  # noqa: BLE001 - a translation bug must not stop the build with a traceback
        return EnvoyExcerpt(resource.origin, "", error=f"{type(error).__name__}: {error}")


def _parallel(scenario: Scenario, proxy, resource: Resource, part: dict, first_line: int) -> Parallel | None:
    """The parallel view of what the tab shows (``part``): a VirtualService's routes (when the
    translator attributes every one of them and they are exactly the excerpt cut from the proxy's
    configuration) or the filter chains of its tcp / tls rules, a DestinationRule's or ServiceEntry's
    clusters, a Gateway's HTTP listeners; else None (the plain excerpt: delegated and Gateway API
    routes, TCP/TLS passthrough listeners of a Gateway, a VirtualService with both HTTP and TCP/TLS rules)."""
    from istio_notebook.envoy.translate_sources import (
        destination_rule_sources, gateway_sources, l4_sources, service_entry_sources, virtual_service_routes)
    from istio_notebook.routing import build_table

    table = build_table(scenario.mesh, proxy)
    if resource.kind == "DestinationRule":
        return parallel(part, destination_rule_sources(scenario.mesh, table, resource, part), resource, first_line)
    if resource.kind == "ServiceEntry":
        return parallel(part, service_entry_sources(resource, part), resource, first_line)
    if resource.kind == "Gateway":
        sources = gateway_sources(table, resource, part)
        return parallel(part, sources, resource, first_line) if sources is not None else None
    if resource.kind != "VirtualService":
        return None
    if "filter_chains" in part:  # tcp / tls rules
        sources = l4_sources(scenario.mesh, proxy, resource, part)
        return parallel(part, sources, resource, first_line) if sources is not None and "route_configs" not in part else None
    found = virtual_service_routes(table, resource)
    if found is None or found[0] != part:
        return None
    return parallel(found[0], found[1], resource, first_line)


def _config(scenario: Scenario, proxy):
    from istio_notebook.envoy.translate import envoy_config

    from istio_notebook.gatewayapi import gateways_named

    # An Istio Gateway or a Gateway API Gateway (the proxy istiod deploys for it).
    if proxy.kind == "gateway" and not gateways_named(scenario.mesh, proxy.namespace, proxy.name):
        return LookupError(f"Gateway {proxy.namespace}/{proxy.name} is not in the page's scenario")
    try:
        return envoy_config(scenario.mesh, proxy)
    except Exception as error:  # noqa: BLE001 - remembered, so every resource of this proxy reports it
        return error


def _has_content(part: dict) -> bool:
    return any(bool(v) for v in part.values())


def _names(names: list[str]) -> str:
    quoted = [f"`{n}`" for n in names[:_SHOWN_NAMES]]
    rest = len(names) - _SHOWN_NAMES
    return "、".join(quoted) + (f" ほか {rest} 件" if rest > 0 else "")


def _describe(resource: Resource, where: str, part: dict) -> tuple[str, dict]:
    """The caption, and what the tab shows (a Gateway's listeners name their route configuration only)."""
    kind = resource.kind
    if kind == "VirtualService":
        places = [
            f"ルート設定 `{config}` の仮想ホスト {_names(list(vhosts))} "
            for config, vhosts in part.get("route_configs", {}).items()
        ]
        routes = sum(len(v["routes"]) for vhosts in part.get("route_configs", {}).values() for v in vhosts.values())
        chains = part.get("filter_chains", {})
        if chains:  # tcp and tls rules: filter chains of the port's listener (translate_l4)
            places.append(f"リスナー {_names(list(chains))} のフィルターチェーン {sum(map(len, chains.values()))} 本")
        if places:
            what = f"のルート {routes} 本" if routes else ""
            return f"{where} Envoy 設定で、この VirtualService は{'、'.join(places)}{what}になります。", part
    elif kind == "Gateway":
        listeners = [_named_route_configs(listener) for listener in part.get("listeners", [])]
        if listeners:
            routes = sorted({name for listener in listeners for name in _route_config_names(listener)})
            via = f"（ルート設定 {_names(routes)}）" if routes else ""
            return f"{where} Envoy 設定で、この Gateway はリスナー {_names([l['name'] for l in listeners])}{via}になります。", {"listeners": listeners}
    else:
        clusters = [c["name"] for c in part.get("clusters", [])]
        if clusters:
            return f"{where} Envoy 設定で、この {kind} はクラスター {_names(clusters)} になります。", part
    return f"{where} Envoy 設定には、この {kind} から生成されたものはありません。", part


def _http_managers(listener: dict):
    for chain in listener.get("filter_chains", []):
        for network_filter in chain.get("filters", []):
            typed = network_filter.get("typed_config", {})
            if "route_config" in typed or "rds" in typed:
                yield typed


def _route_config_names(listener: dict) -> list[str]:
    found = []
    for typed in _http_managers(listener):
        config = typed.get("route_config") or {}
        name = config.get("name") or (typed.get("rds") or {}).get("route_config_name")
        if name:
            found.append(name)
    return found


def _named_route_configs(listener: dict) -> dict:
    """The listener with each inline route configuration reduced to its name: its routes come from
    VirtualServices (their own Envoy tab), the Gateway contributes the listener and the name."""
    shown = copy.deepcopy(listener)
    for typed in _http_managers(shown):
        if isinstance(typed.get("route_config"), dict):
            typed["route_config"] = {"name": typed["route_config"].get("name", "")}
    return shown
