"""Hypothesis strategies: random TCP/TLS meshes (VirtualService `tcp` and `tls` rules) and connections.

For the differential test (tests/envoy/test_differential_l4.py). The vocabulary is small on
purpose so that most connections meet some rule, with near misses:
- `db` (VIP 10.96.1.10, TCP ports 5432 and 5433) with pods v1 and v2 and subsets v1, v2 and v3
  (v3 selects no pod: its cluster has no endpoints);
- `cache` (VIP 10.96.1.11, TCP 6379) with no VirtualService: its own cluster;
- TLS ServiceEntries `api.example.com`, `www.example.com` (port 443, no address: 0.0.0.0_443);
- `tcp` rules on `db`: port, sourceLabels, destinationSubnets (the VIP or another range), 1-2
  weighted destinations; `tls` rules on the ServiceEntry hosts by sniHosts;
- the client: app=client-a or app=client-b; the outbound policy ALLOW_ANY or REGISTRY_ONLY;
- connections: by name, by VIP, to an unknown host, TLS with a matching, other or absent SNI.
"""

from __future__ import annotations

import yaml
from hypothesis import strategies as st

from istio_notebook.config import Mesh
from istio_notebook.config.loader import load_text
from istio_notebook.config.yaml_reader import Origin
from virtualservice_strategies import deployments

DB_VIP = "10.96.1.10"
CACHE_VIP = "10.96.1.11"
SUBSETS = ("v1", "v2", "v3")
CLIENTS = ("client-a", "client-b")
SNI_HOSTS = ("api.example.com", "www.example.com")

BASE = f"""
apiVersion: v1
kind: Service
metadata: {{name: db, namespace: default}}
spec:
  selector: {{app: db}}
  clusterIP: {DB_VIP}
  ports: [{{name: tcp-pg, port: 5432}}, {{name: tcp-other, port: 5433}}]
---
apiVersion: v1
kind: Service
metadata: {{name: cache, namespace: default}}
spec:
  selector: {{app: cache}}
  clusterIP: {CACHE_VIP}
  ports: [{{name: tcp-cache, port: 6379}}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: db, namespace: default}}
spec:
  host: db
  subsets: [{{name: v1, labels: {{version: v1}}}}, {{name: v2, labels: {{version: v2}}}}, {{name: v3, labels: {{version: v3}}}}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {{name: external-tls, namespace: default}}
spec:
  hosts: [api.example.com, www.example.com]
  location: MESH_EXTERNAL
  resolution: DNS
  ports: [{{number: 443, name: tls, protocol: TLS}}]
"""

PODS = deployments((("db", "v1"), ("db", "v2"), ("cache", "v1")))


@st.composite
def _route(draw, port: int | None = None) -> list[dict]:
    """1-2 destinations on db's subsets; ``port``: the destination port (a gateway's listener port is not db's)."""
    subsets = draw(st.lists(st.sampled_from(SUBSETS), min_size=1, max_size=2, unique=True))
    dest = lambda subset: {"host": "db", "subset": subset, **({"port": {"number": port}} if port else {})}
    if len(subsets) == 1:
        return [{"destination": dest(subsets[0])}]
    first = draw(st.sampled_from((10, 50, 80)))
    return [{"destination": dest(subsets[0]), "weight": first}, {"destination": dest(subsets[1]), "weight": 100 - first}]


@st.composite
def _tcp_match(draw) -> dict:
    match: dict = {}
    if draw(st.booleans()):
        match["port"] = draw(st.sampled_from((5432, 5433)))
    if draw(st.booleans()):
        match["sourceLabels"] = {"app": draw(st.sampled_from(CLIENTS))}
    if draw(st.integers(0, 3)) == 0:
        match["destinationSubnets"] = [draw(st.sampled_from((f"{DB_VIP}/32", "10.200.0.0/16")))]
    return match


@st.composite
def tcp_virtual_service(draw) -> dict:
    rules = []
    for _ in range(draw(st.integers(1, 3))):
        rule: dict = {"route": draw(_route())}
        if draw(st.integers(0, 3)) > 0:
            rule = {"match": draw(st.lists(_tcp_match(), min_size=1, max_size=2)), **rule}
        rules.append(rule)
    return {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
            "metadata": {"name": "db", "namespace": "default"}, "spec": {"hosts": ["db"], "tcp": rules}}


@st.composite
def tls_virtual_service(draw) -> dict:
    rules = []
    for host in draw(st.lists(st.sampled_from(SNI_HOSTS), min_size=1, max_size=2, unique=True)):
        target = draw(st.sampled_from(SNI_HOSTS))
        rules.append({"match": [{"port": 443, "sniHosts": [host]}],
                      "route": [{"destination": {"host": target, "port": {"number": 443}}}]})
    return {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
            "metadata": {"name": "external", "namespace": "default"},
            "spec": {"hosts": list(SNI_HOSTS), "tls": rules}}


@st.composite
def l4_mesh(draw) -> tuple[str, str]:
    """(mesh YAML, client labels)."""
    docs = [BASE, PODS]
    if draw(st.integers(0, 4)) > 0:
        docs.append("---\n" + yaml.safe_dump(draw(tcp_virtual_service()), sort_keys=False))
    if draw(st.booleans()):
        docs.append("---\n" + yaml.safe_dump(draw(tls_virtual_service()), sort_keys=False))
    if draw(st.booleans()):
        docs.append("---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: default, namespace: default}\n"
                    "spec:\n  outboundTrafficPolicy: {mode: REGISTRY_ONLY}\n")
    return "".join(docs), f"app={draw(st.sampled_from(CLIENTS))}"


@st.composite
def connection(draw) -> tuple[str, str | None]:
    """(URL, SNI or None)."""
    kind = draw(st.sampled_from(("tcp-name", "tcp-vip", "tcp-cache", "tcp-unknown", "tls")))
    if kind == "tcp-name":
        return f"tcp://db:{draw(st.sampled_from((5432, 5433)))}", None
    if kind == "tcp-vip":
        return f"tcp://{DB_VIP}:{draw(st.sampled_from((5432, 5433)))}", None
    if kind == "tcp-cache":
        return draw(st.sampled_from(("tcp://cache:6379", f"tcp://{CACHE_VIP}:6379"))), None
    if kind == "tcp-unknown":
        return "tcp://db.example.net:7000", None
    host = draw(st.sampled_from(SNI_HOSTS))
    return f"tls://{host}:443", draw(st.sampled_from((None, *SNI_HOSTS, "other.example.org")))


def mesh_of(text: str) -> Mesh:
    loaded = load_text(text, Origin("<generated>"))
    return Mesh(loaded.resources)


GATEWAY = """
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: edge, namespace: default}
spec:
  selector: {istio: ingressgateway}
  servers:
  - {port: {number: 31400, name: tcp, protocol: TCP}, hosts: ["*"]}
  - {port: {number: 443, name: tls, protocol: TLS}, tls: {mode: PASSTHROUGH}, hosts: [api.example.com, www.example.com]}
"""


@st.composite
def gateway_virtual_services(draw) -> list[dict]:
    """A tcp VirtualService (hosts "*") and a tls one bound to the gateway, each sometimes left out."""
    out = []
    if draw(st.integers(0, 3)) > 0:
        rules = []
        for _ in range(draw(st.integers(1, 2))):
            rule: dict = {"route": draw(_route(5432))}
            if draw(st.booleans()):
                rule = {"match": [{"port": draw(st.sampled_from((31400, 31401)))}], **rule}
            rules.append(rule)
        out.append({"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
                    "metadata": {"name": "edge-tcp", "namespace": "default"},
                    "spec": {"hosts": ["*"], "gateways": ["edge"], "tcp": rules}})
    if draw(st.integers(0, 3)) > 0:
        rules = [{"match": [{"port": 443, "sniHosts": [host]}], "route": draw(_route(5433))}
                 for host in draw(st.lists(st.sampled_from(SNI_HOSTS), min_size=1, max_size=2, unique=True))]
        out.append({"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
                    "metadata": {"name": "edge-tls", "namespace": "default"},
                    "spec": {"hosts": list(SNI_HOSTS), "gateways": ["edge"], "tls": rules}})
    return out


@st.composite
def gateway_mesh(draw) -> str:
    """The services above, an ingress gateway workload, Gateway `edge` and its VirtualServices."""
    docs = [BASE, PODS, GATEWAY_WORKLOAD, GATEWAY]
    docs += ["---\n" + yaml.safe_dump(vs, sort_keys=False) for vs in draw(gateway_virtual_services())]
    return "".join(docs)


GATEWAY_WORKLOAD = deployments((("istio-ingressgateway", "v1"),)).replace(
    "app: istio-ingressgateway, version: v1", "app: istio-ingressgateway, istio: ingressgateway")


@st.composite
def gateway_connection(draw) -> tuple[str, str | None]:
    if draw(st.booleans()):
        return f"tcp://203.0.113.10:{draw(st.sampled_from((31400, 31401)))}", None
    return "tls://203.0.113.10:443", draw(st.sampled_from((*SNI_HOSTS, "other.example.org")))
