"""The part of a proxy's Envoy configuration that one Istio resource produced (for the docs).

The Istio → Envoy mapping, read off the translated configuration itself:
- VirtualService → the routes carrying its ``istio.config`` metadata, under their route
  configuration and virtual host, and the filter chains (tcp / tls rules) carrying it, by listener;
- DestinationRule, Service, ServiceEntry → the clusters of its host;
- Gateway → the listeners (and their route configurations) of the gateway proxy;
- AuthorizationPolicy → the RBAC filter(s) it becomes on the workload's inbound side.
"""

from __future__ import annotations

from istio_notebook.config import Resource
from istio_notebook.config.hosts import fqdn

_CLUSTER_KINDS = {"DestinationRule": ("spec", "host"), "ServiceEntry": ("spec", "hosts")}


def _config_path(resource: Resource) -> str:
    return f"/apis/networking.istio.io/v1/namespaces/{resource.namespace}/virtual-service/{resource.name}"


def _istio_config(item: dict) -> str | None:
    return item.get("metadata", {}).get("filter_metadata", {}).get("istio", {}).get("config")


def _routes(bootstrap: dict, resource: Resource) -> dict:
    """Its HTTP routes by route configuration and virtual host, and the filter chains its tcp and
    tls rules became (translate_l4.chain_json names the VirtualService in the same metadata)."""
    wanted = _config_path(resource)
    found: dict = {}
    chains: dict = {}
    for listener in bootstrap.get("static_resources", {}).get("listeners", []):
        for chain in listener.get("filter_chains", []) + ([listener["default_filter_chain"]] if "default_filter_chain" in listener else []):
            if _istio_config(chain) == wanted:
                chains.setdefault(listener["name"], []).append(chain)
            for network_filter in chain.get("filters", []):
                route_config = network_filter.get("typed_config", {}).get("route_config")
                for vhost in (route_config or {}).get("virtual_hosts", []):
                    routes = [r for r in vhost.get("routes", []) if _istio_config(r) == wanted]
                    if routes:
                        by_vhost = found.setdefault(route_config["name"], {})
                        by_vhost[vhost["name"]] = {"domains": vhost.get("domains", []), "routes": routes}
    if not chains:
        return {"route_configs": found}
    return {**({"route_configs": found} if found else {}), "filter_chains": chains}


def _hosts(resource: Resource) -> set[str]:
    if resource.kind == "Service":
        return {fqdn(resource.name, resource.namespace, fold_case=True)}
    path = _CLUSTER_KINDS[resource.kind]
    value = resource.get(*path)
    values = value if isinstance(value, list) else [value]
    return {fqdn(str(v), resource.namespace, fold_case=True) for v in values if isinstance(v, str)}


def _clusters(bootstrap: dict, resource: Resource) -> dict:
    hosts = _hosts(resource)
    clusters = [c for c in bootstrap.get("static_resources", {}).get("clusters", [])
                if c["name"].count("|") == 3 and c["name"].split("|")[3] in hosts]
    return {"clusters": clusters}


def excerpt(bootstrap: dict, resource: Resource) -> dict:
    """The Envoy objects ``resource`` produced in ``bootstrap`` (a translate.envoy_config result)."""
    if resource.kind == "VirtualService":
        return _routes(bootstrap, resource)
    if resource.kind in ("DestinationRule", "ServiceEntry", "Service"):
        return _clusters(bootstrap, resource)
    if resource.kind == "Gateway":
        listeners = [l for l in bootstrap.get("static_resources", {}).get("listeners", []) if l["name"] != "virtualOutbound"]
        return {"listeners": listeners}
    if resource.kind == "AuthorizationPolicy":
        from istio_notebook.envoy.rbac import build_rbac_filters

        return {"http_filters": build_rbac_filters([resource]).filters}
    return {}
