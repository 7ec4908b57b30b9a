"""TCP/TLS meshes shared by the simulator tests (tests/routing) and the real-Envoy tests (tests/envoy).

Sources: istio.io tasks traffic-management/tcp-traffic-shifting (samples/tcp-echo) and
traffic-management/ingress/ingress-sni-passthrough; istio 1.30 pilot/pkg/networking/core tls.go.
"""

from __future__ import annotations

NS = "istio-io-tcp-traffic-shifting"
ECHO = f"tcp-echo.{NS}.svc.cluster.local"

TCP_ECHO = f"""
apiVersion: v1
kind: Service
metadata: {{name: tcp-echo, namespace: {NS}}}
spec:
  selector: {{app: tcp-echo}}
  clusterIP: 10.96.0.90
  ports:
  - {{name: tcp, port: 9000}}
  - {{name: tcp-other, port: 9001}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: tcp-echo-v1, namespace: {NS}}}
spec:
  selector: {{matchLabels: {{app: tcp-echo, version: v1}}}}
  template:
    metadata: {{labels: {{app: tcp-echo, version: v1}}}}
    spec: {{containers: [{{name: tcp-echo, image: istio/tcp-echo-server:1.3}}]}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: tcp-echo-v2, namespace: {NS}}}
spec:
  selector: {{matchLabels: {{app: tcp-echo, version: v2}}}}
  template:
    metadata: {{labels: {{app: tcp-echo, version: v2}}}}
    spec: {{containers: [{{name: tcp-echo, image: istio/tcp-echo-server:1.3}}]}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: tcp-echo-destination, namespace: {NS}}}
spec:
  host: tcp-echo
  subsets:
  - {{name: v1, labels: {{version: v1}}}}
  - {{name: v2, labels: {{version: v2}}}}
"""

# istio.io tasks/traffic-management/tcp-traffic-shifting (samples/tcp-echo/tcp-echo-20-v2.yaml).
SHIFTING = f"""
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {{name: tcp-echo-gateway, namespace: {NS}}}
spec:
  selector: {{istio: ingressgateway}}
  servers:
  - port: {{number: 31400, name: tcp, protocol: TCP}}
    hosts: ["*"]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: tcp-echo, namespace: {NS}}}
spec:
  hosts: ["*"]
  gateways: [tcp-echo-gateway]
  tcp:
  - match: [{{port: 31400}}]
    route:
    - {{destination: {{host: tcp-echo, port: {{number: 9000}}, subset: v1}}, weight: 80}}
    - {{destination: {{host: tcp-echo, port: {{number: 9000}}, subset: v2}}, weight: 20}}
"""

MESH_TCP = f"""
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: tcp-echo-mesh, namespace: {NS}}}
spec:
  hosts: [tcp-echo]
  tcp:
  - match: [{{port: 9000, sourceLabels: {{app: canary-client}}}}]
    route: [{{destination: {{host: tcp-echo, port: {{number: 9000}}, subset: v2}}}}]
  - match: [{{port: 9000, gateways: [mesh], sourceLabels: {{app: nobody}}}}]
    route: [{{destination: {{host: tcp-echo, port: {{number: 9000}}, subset: v2}}}}]
  - match: [{{destinationSubnets: [10.200.0.0/16]}}]
    route: [{{destination: {{host: tcp-echo, port: {{number: 9000}}, subset: v2}}}}]
  - match: [{{port: 9000}}]
    route: [{{destination: {{host: tcp-echo, port: {{number: 9000}}, subset: v1}}}}]
"""


EXTERNAL_TLS = """
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: external, namespace: default}
spec:
  hosts: [api.example.com, "*.example.org"]
  ports: [{number: 443, name: tls, protocol: TLS}]
  resolution: DNS
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: backup, namespace: default}
spec:
  hosts: [backup.example.net]
  ports: [{number: 443, name: tls, protocol: TLS}]
  resolution: DNS
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: external, namespace: default}
spec:
  hosts: [api.example.com]
  tls:
  - match: [{port: 443, sniHosts: [api.example.com]}]
    route: [{destination: {host: backup.example.net, port: {number: 443}}}]
"""


NGINX = """
apiVersion: v1
kind: Service
metadata: {name: my-nginx, namespace: default}
spec:
  selector: {run: my-nginx}
  ports: [{name: https, port: 443, targetPort: 443}]
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: mygateway, namespace: default}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    tls: {mode: PASSTHROUGH}
    hosts: [nginx.example.com]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: nginx, namespace: default}
spec:
  hosts: [nginx.example.com]
  gateways: [mygateway]
  tls:
  - match: [{port: 443, sniHosts: [nginx.example.com]}]
    route: [{destination: {host: my-nginx, port: {number: 443}}}]
"""


EASTWEST = """
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: cross-network-gateway, namespace: istio-system}
spec:
  selector: {istio: eastwestgateway}
  servers:
  - port: {number: 15443, name: tls, protocol: TLS}
    tls: {mode: AUTO_PASSTHROUGH}
    hosts: ["*.local"]
"""


# ServiceEntry TCP hosts (istio/api networking/v1alpha3/service_entry.proto `addresses`: with
# addresses the destination IP identifies the service; "If the Addresses field is empty, traffic
# will be identified solely based on the destination port").
EXTERNAL_TCP = """
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: mongo, namespace: default}
spec:
  hosts: [mongo.example.com]
  addresses: [240.0.0.10]
  ports: [{number: 27018, name: mongo, protocol: TCP}]
  location: MESH_EXTERNAL
  resolution: DNS
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: db, namespace: default}
spec:
  hosts: [db.example.com]
  ports: [{number: 5433, name: tcp-db, protocol: TCP}]
  location: MESH_EXTERNAL
  resolution: DNS
"""


# A tcp rule whose destinationSubnets hold the service VIP 10.96.0.90 (rule 1; rule 0's /32 does not):
# its chain on the VIP listener matches the destination (filter_chain_match prefix_ranges; istio 1.30 tls.go
# buildSidecarOutboundTCPFilterChainOpts), ahead of the rule without subnets.
MESH_SUBNET = f"""
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: tcp-echo-subnet, namespace: {NS}}}
spec:
  hosts: [tcp-echo]
  tcp:
  - match: [{{destinationSubnets: [10.96.0.7/32]}}]
    route: [{{destination: {{host: tcp-echo, port: {{number: 9001}}, subset: v1}}}}]
  - match: [{{destinationSubnets: [10.96.0.0/24]}}]
    route: [{{destination: {{host: tcp-echo, port: {{number: 9000}}, subset: v2}}}}]
  - route: [{{destination: {{host: tcp-echo, port: {{number: 9000}}, subset: v1}}}}]
"""
