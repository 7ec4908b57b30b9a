"""The kind workloads: fixtures' Services and Deployments with every server pod replaced by the echo server."""

from __future__ import annotations

from labs_testkit import REPO
from istio_notebook.config import load_paths
from istio_notebook.labs import pins
from istio_notebook.labs.workloads import OUTSIDE_NAMESPACE, workload_documents

FIXTURES = load_paths([REPO / "docs/fixtures/bookinfo.yaml", REPO / "docs/fixtures/httpbin.yaml",
                       REPO / "docs/fixtures/sleep.yaml", REPO / "docs/fixtures/istio-ingressgateway.yaml",
                       REPO / "docs/fixtures/bookinfo-gateway.yaml"]).resources


def by_key(documents):
    return {(d["kind"], d["metadata"].get("namespace", ""), d["metadata"]["name"]): d for d in documents}


def env(deployment) -> dict:
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return {e["name"]: e["value"] for e in container["env"]}


def test_servers_run_the_pinned_echo_naming_service_and_version() -> None:
    docs = by_key(workload_documents(FIXTURES))
    reviews = docs[("Deployment", "default", "reviews-v2")]
    (container,) = reviews["spec"]["template"]["spec"]["containers"]
    assert container["image"] == pins.ECHO_IMAGE
    assert env(reviews) == {"HTTP_PORT": "9080", "ECHO_INCLUDE_ENV_VARS": "true", "SERVICE_NAME": "reviews", "SERVICE_VERSION": "v2"}
    assert reviews["spec"]["template"]["metadata"]["labels"] == {"app": "reviews", "version": "v2"}


def test_the_echo_listens_on_the_service_target_port() -> None:
    # httpbin's Service port 8000 targets 8080 (docs/fixtures/httpbin.yaml).
    assert env(by_key(workload_documents(FIXTURES))[("Deployment", "default", "httpbin")])["HTTP_PORT"] == "8080"


def test_clients_run_the_pinned_curl_and_keep_their_identity() -> None:
    sleep = by_key(workload_documents(FIXTURES))[("Deployment", "default", "sleep")]
    spec = sleep["spec"]["template"]["spec"]
    assert spec["containers"][0]["image"] == pins.CURL_IMAGE and spec["serviceAccountName"] == "sleep"


def test_gateways_and_istio_config_are_left_to_istioctl_and_the_labs() -> None:
    docs = by_key(workload_documents(FIXTURES))
    assert not any(ns == "istio-system" for _, ns, _ in docs)
    assert not any(kind in ("Gateway", "VirtualService") for kind, _, _ in docs)


def test_namespaces_are_injected_except_the_outside_client() -> None:
    docs = by_key(workload_documents(FIXTURES, client_namespaces=["bar"]))
    assert docs[("Namespace", "", "default")]["metadata"]["labels"] == {"istio-injection": "enabled"}
    assert docs[("Namespace", "", OUTSIDE_NAMESPACE)]["metadata"]["labels"] == {}
    assert ("Deployment", "bar", "sleep") in docs and ("ServiceAccount", "bar", "sleep") in docs
    assert ("Deployment", OUTSIDE_NAMESPACE, "outside-client") in docs


def test_every_service_account_a_pod_uses_is_created() -> None:
    documents = workload_documents(FIXTURES)
    accounts = {(d["metadata"]["namespace"], d["metadata"]["name"]) for d in documents if d["kind"] == "ServiceAccount"}
    used = {(d["metadata"]["namespace"], d["spec"]["template"]["spec"]["serviceAccountName"]) for d in documents
            if d["kind"] == "Deployment" and d["spec"]["template"]["spec"]["serviceAccountName"] != "default"}
    assert used <= accounts
