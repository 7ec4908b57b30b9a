"""The DestinationRule traffic policy that applies to one destination (host, port, subset).

Istio merges in this order, each later level replacing whole fields it sets: the rule's
trafficPolicy, its portLevelSettings for the port, the subset's trafficPolicy, the subset's
portLevelSettings (pilot/pkg/networking/core/cluster_builder.go, MergeTrafficPolicy).
"""

from __future__ import annotations

from istio_notebook.routing.outcome import TlsSettings, TrafficPolicy
from istio_notebook.config.services import Service
from istio_notebook.config.shape import items
from istio_notebook.routing.views import DestinationRuleSet

_FIELDS = (("tls", "tls"), ("loadBalancer", "load_balancer"), ("connectionPool", "connection_pool"),
           ("outlierDetection", "outlier_detection"))


def _port_level(policy: dict, port: int | None) -> dict | None:
    for item in items(policy.get("portLevelSettings")):
        if isinstance(item, dict) and isinstance(item.get("port"), dict) and item["port"].get("number") == port:
            return item
    return None


def _layer(policy: object, port: int | None) -> list[dict]:
    if not isinstance(policy, dict):
        return []
    layers = [policy]
    level = _port_level(policy, port)
    if level:
        layers.append(level)
    return layers


def traffic_policy(drs: DestinationRuleSet, service: Service | None, port: int | None, subset: str | None) -> TrafficPolicy:
    layers = _layer(drs.traffic_policy(), port)
    if subset:
        spec = drs.subset(subset)
        if isinstance(spec, dict):
            layers += _layer(spec.get("trafficPolicy"), port)
    merged: dict = {}
    for layer in layers:
        for key, out_key in _FIELDS:
            if isinstance(layer.get(key), dict):
                merged[out_key] = layer[key]
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
