"""The sample workloads the kind backend deploys, derived from the labs' fixtures.

The fixtures (docs/fixtures/*.yaml) describe Bookinfo, httpbin, sleep... as Services and
Deployments. On kind we keep their names, namespaces, labels, service accounts and ports, but
run one pinned echo server in every server pod: it answers each request with a JSON echo of
the method, path and headers it received plus its environment, where we put SERVICE_NAME and
SERVICE_VERSION. So every answer names the serving service and version, and shows the path
and headers after Istio's rewrites (on a TLS port it serves HTTPS, for TLS passthrough). Pods
whose Services Istio treats as TCP only run istio's tcp-echo-server instead, whose answer to a
line names the app and version. Client pods (curl images) become the pinned curl image, with a
``tools`` container next to it for nc and openssl s_client (labs/connections.py).

Istio configuration in the fixtures (Gateways, VirtualServices...) is not a workload: the lab
run applies it together with the lab's manifests, and removes it afterwards.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable

import yaml

from istio_notebook.config import Resource, protocol
from istio_notebook.config.labels import label_map, service_selects
from istio_notebook.labs import connections, pins

WORKLOAD_GROUPS = ("", "apps")  # core and apps: Namespaces, Services, Deployments, ServiceAccounts
GATEWAY_NAMESPACE = "istio-system"  # istioctl installs the gateways there; fixtures only model them
OUTSIDE_NAMESPACE = "outside"  # a client without a sidecar, for traffic that enters through a gateway
OUTSIDE_CLIENT = "outside-client"


def is_workload(resource: Resource) -> bool:
    return resource.group in WORKLOAD_GROUPS


def _is_client(deployment: Resource) -> bool:
    containers = deployment.get("spec", "template", "spec", "containers", default=[]) or []
    return any("curl" in str(c.get("image", "")) for c in containers if isinstance(c, dict))


def _selects(service: Resource, labels: dict[str, str]) -> bool:
    return service_selects(label_map(service.get("spec", "selector")), labels)


def _listen_port(deployment: Resource, services: list[Resource]) -> int:
    """The port the echo server must listen on: the target port of a Service that selects the pods."""
    labels = label_map(deployment.get("spec", "template", "metadata", "labels"))
    for service in services:
        if service.namespace == deployment.namespace and _selects(service, labels):
            for port in service.get("spec", "ports", default=[]) or []:
                target = port.get("targetPort", port.get("port"))
                if isinstance(target, int):
                    return target
    containers = deployment.get("spec", "template", "spec", "containers", default=[]) or []
    for container in containers:
        for port in container.get("ports", []) or []:
            if isinstance(port.get("containerPort"), int):
                return port["containerPort"]
    return 8080


def _port_kinds(deployment: Resource, services: list[Resource]) -> dict[str, list[int]]:
    """Target ports of the Services that select the pods, by what Istio makes of them (config/protocol.py):
    ``tls`` (TLS/HTTPS: the client's own TLS passes through), ``tcp`` (other TCP protocols), ``http``."""
    labels = label_map(deployment.get("spec", "template", "metadata", "labels"))
    kinds: dict[str, list[int]] = {"http": [], "tcp": [], "tls": []}
    for service in services:
        if service.namespace != deployment.namespace or not _selects(service, labels):
            continue
        for port in service.get("spec", "ports", default=[]) or []:
            target = port.get("targetPort", port.get("port"))
            if not isinstance(target, int):
                continue
            selection = protocol.kubernetes_port(port.get("port"), port.get("name"), port.get("protocol"), port.get("appProtocol"))
            kind = "tls" if selection.protocol.is_tls else ("tcp" if selection.protocol.is_tcp else "http")
            if target not in kinds[kind]:
                kinds[kind].append(target)
    return kinds


def _echo_deployment(deployment: Resource, services: list[Resource]) -> dict:
    """The JSON echo server (HTTP, and HTTPS on a TLS port), or, for pods whose Services Istio
    treats as TCP only, istio's tcp-echo-server answering ``inb-echo:<app>:<version> <line>``."""
    body = copy.deepcopy(deployment.body)
    labels = body["spec"]["template"]["metadata"].get("labels", {})
    app, version = str(labels.get("app", deployment.name)), str(labels.get("version", ""))
    kinds = _port_kinds(deployment, services)
    name = (body["spec"]["template"]["spec"].get("containers") or [{}])[0].get("name", "app")
    if kinds["tcp"] and not kinds["http"] and not kinds["tls"]:
        container = {"name": name, "image": pins.TCP_ECHO_IMAGE,
                     "args": [",".join(map(str, kinds["tcp"])), f"{connections.ECHO_PREFIX}:{app}:{version}"],
                     "ports": [{"containerPort": p} for p in kinds["tcp"]]}
    else:
        port = (kinds["http"] or [_listen_port(deployment, services)])[0]
        env = [{"name": "HTTP_PORT", "value": str(port)}]
        if kinds["tls"]:
            env.append({"name": "HTTPS_PORT", "value": str(kinds["tls"][0])})  # its own certificate: a passthrough target
        container = {"name": name, "image": pins.ECHO_IMAGE, "ports": [{"containerPort": p} for p in [port, *kinds["tls"][:1]]],
                     "env": [*env, {"name": "ECHO_INCLUDE_ENV_VARS", "value": "true"},
                             {"name": "SERVICE_NAME", "value": app}, {"name": "SERVICE_VERSION", "value": version}]}
    body["spec"]["template"]["spec"]["containers"] = [container]
    return body


def _client_deployment(name: str, namespace: str, labels: dict[str, str], service_account: str) -> dict:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace, "labels": dict(labels)},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": dict(labels)},
            "template": {
                "metadata": {"labels": dict(labels)},
                "spec": {
                    "serviceAccountName": service_account,
                    "containers": [
                        {"name": "curl", "image": pins.CURL_IMAGE, "command": ["/bin/sleep", "infinity"]},
                        # nc and openssl s_client for connection checks (labs/connections.py), same pod, same sidecar
                        {"name": connections.TOOLS_CONTAINER, "image": pins.TOOLS_IMAGE, "command": ["/bin/sleep", "infinity"]},
                    ],
                },
            },
        },
    }


def _namespace(name: str, inject: bool) -> dict:
    labels = {"istio-injection": "enabled"} if inject else {}
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}


def _service_account(name: str, namespace: str) -> dict:
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": namespace}}


def workload_documents(fixtures: Iterable[Resource], client_namespaces: Iterable[str] = ()) -> list[dict]:
    """Namespaces, ServiceAccounts, Services and Deployments to apply at ``lab up``, in order.

    ``client_namespaces``: namespaces that need a ``sleep`` client (app=sleep, service account
    sleep) because some check sends from there.
    """
    resources = [r for r in fixtures if is_workload(r) and r.namespace != GATEWAY_NAMESPACE and r.kind != "Namespace"]
    services = [r for r in resources if r.kind == "Service"]
    deployments = [r for r in resources if r.kind == "Deployment"]
    documents: list[dict] = []
    body_by_key: dict[tuple[str, str, str], dict] = {}

    def add(body: dict) -> None:
        meta = body["metadata"]
        key = (body["kind"], meta.get("namespace", ""), meta["name"])
        if key not in body_by_key:
            body_by_key[key] = body
            documents.append(body)

    namespaces = sorted({r.namespace for r in resources} | set(client_namespaces))
    for namespace in namespaces:
        add(_namespace(namespace, inject=True))
    add(_namespace(OUTSIDE_NAMESPACE, inject=False))
    for deployment in deployments:
        account = deployment.get("spec", "template", "spec", "serviceAccountName")
        if account:
            add(_service_account(str(account), deployment.namespace))
    for service in services:
        body = copy.deepcopy(service.body)
        body.setdefault("metadata", {})["namespace"] = service.namespace
        add(body)
    for deployment in deployments:
        if _is_client(deployment):
            labels = deployment.get("spec", "template", "metadata", "labels", default={}) or {}
            account = str(deployment.get("spec", "template", "spec", "serviceAccountName", default="default"))
            add(_client_deployment(deployment.name, deployment.namespace, labels, account))
        else:
            body = _echo_deployment(deployment, services)
            body["metadata"]["namespace"] = deployment.namespace
            add(body)
    for namespace in client_namespaces:
        add(_service_account("sleep", namespace))
        add(_client_deployment("sleep", namespace, {"app": "sleep"}, "sleep"))
    add(_client_deployment(OUTSIDE_CLIENT, OUTSIDE_NAMESPACE, {"app": OUTSIDE_CLIENT}, "default"))
    return documents


def to_yaml(documents: list[dict]) -> str:
    return yaml.safe_dump_all(documents, sort_keys=False)
