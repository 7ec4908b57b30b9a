"""The DestinationRule traffic policy that applies to one destination (host, port, subset).

Istio merges in this order, each later level replacing whole fields it sets: the rule's
trafficPolicy, its portLevelSettings for the port, the subset's trafficPolicy, the subset's
portLevelSettings (pilot/pkg/networking/core/cluster_builder.go, MergeTrafficPolicy).
"""

from __future__ import annotations

from dataclasses import dataclass

from istio_notebook.config import Resource
from istio_notebook.routing.outcome import TlsSettings, TrafficPolicy
from istio_notebook.config.services import Service
from istio_notebook.config.shape import items
from istio_notebook.routing.views import DestinationRuleSet

_FIELDS = (("tls", "tls"), ("loadBalancer", "load_balancer"), ("connectionPool", "connection_pool"),
           ("outlierDetection", "outlier_detection"))


@dataclass(frozen=True)
class PolicyLayer:
    """One level of the merge: the DestinationRule, where the level is in it, and its fields."""

    rule: Resource
    path: tuple[str | int, ...]  # ("spec", "trafficPolicy") or (..., "portLevelSettings", i), subsets likewise
    spec: dict


def _layer(rule: Resource, path: tuple[str | int, ...], port: int | None) -> list[PolicyLayer]:
    policy = rule.get(*path)
    if not isinstance(policy, dict):
        return []
    layers = [PolicyLayer(rule, path, policy)]
    for i, item in enumerate(items(policy.get("portLevelSettings"))):
        if isinstance(item, dict) and isinstance(item.get("port"), dict) and item["port"].get("number") == port:
            layers.append(PolicyLayer(rule, path + ("portLevelSettings", i), item))
            break
    return layers


def policy_layers(drs: DestinationRuleSet, port: int | None, subset: str | None) -> list[PolicyLayer]:
    """The levels that apply to (port, subset), in merge order: a later level's field wins."""
    layers: list[PolicyLayer] = []
    rule = next((dr for dr in drs.rules if isinstance(dr.spec.get("trafficPolicy"), dict)), None)
    if rule is not None:
        layers += _layer(rule, ("spec", "trafficPolicy"), port)
    for dr in drs.rules if subset else ():
        found = next((j for j, item in enumerate(items(dr.spec.get("subsets"))) if isinstance(item, dict) and item.get("name") == subset), None)
        if found is not None:
            layers += _layer(dr, ("spec", "subsets", found, "trafficPolicy"), port)
            break
    return layers


def traffic_policy(drs: DestinationRuleSet, service: Service | None, port: int | None, subset: str | None) -> TrafficPolicy:
    merged: dict = {}
    for layer in policy_layers(drs, port, subset):
        for key, out_key in _FIELDS:
            if isinstance(layer.spec.get(key), dict):
                merged[out_key] = layer.spec[key]
    tls = merged.get("tls")
    if isinstance(tls, dict) and tls.get("mode"):
        tls_out = TlsSettings(str(tls["mode"]), False)
    else:
        # Auto mTLS (on by default): Istio sends ISTIO_MUTUAL to workloads with a sidecar,
        # i.e. in-mesh services; external ServiceEntries get plain text.
        internal = service is not None and (service.registry == "Kubernetes" or service.location == "MESH_INTERNAL")
        tls_out = TlsSettings("ISTIO_MUTUAL" if internal else "DISABLE", True)
    lb = merged.get("load_balancer")
    return TrafficPolicy(
        destination_rules=tuple(f"{r.namespace}/{r.name}" for r in drs.rules),
        scope=drs.scope,
        tls=tls_out,
        # Istio's default load balancer is LEAST_REQUEST (istio.io DestinationRule reference).
        load_balancer=lb if lb else {"simple": "LEAST_REQUEST"},
        connection_pool=merged.get("connection_pool"),
        outlier_detection=merged.get("outlier_detection"),
    )
