"""Pinned versions of everything the kind backend installs or runs.

Bump them together and re-run the labs on kind (the labs workflow does it on pull requests).
Digests were taken from the projects' release notes, see the comments; nothing here could be
pulled on the machine this was written on (no Docker), which the labs page says plainly.
"""

from __future__ import annotations

# kind v0.30.0 release notes list this image for Kubernetes 1.34.0
# (https://github.com/kubernetes-sigs/kind/releases/tag/v0.30.0).
KIND_VERSION = "0.30.0"
NODE_IMAGE = "kindest/node:v1.34.0@sha256:7416a61b42b1662ca6ca89f02028ac133a309a2a30ba309614e8ec94d976dc5a"

# Istio 1.30.x (https://istio.io/latest/news/releases/1.30.x/). istioctl comes from the release
# archive; Istio publishes `<archive>.sha256` next to it, which the workflow checks with
# `sha256sum -c` (the digest itself could not be fetched offline, so it is not copied here).
ISTIO_VERSION = "1.30.5"
ISTIOCTL_URL = (
    f"https://github.com/istio/istio/releases/download/{ISTIO_VERSION}/istioctl-{ISTIO_VERSION}-linux-amd64.tar.gz"
)

# The Gateway API CRDs `lab up` installs (standard channel: GatewayClass, Gateway, HTTPRoute,
# GRPCRoute, ReferenceGrant, ...) before Istio: the version Istio 1.30 builds against (go.mod of
# istio/istio 1.30.x: sigs.k8s.io/gateway-api v1.5.1). The release publishes no checksum for the
# manifest, and it could not be fetched here, so it is pinned by its release tag only.
GATEWAY_API_VERSION = "v1.5.1"
GATEWAY_API_CRDS_URL = (
    f"https://github.com/kubernetes-sigs/gateway-api/releases/download/{GATEWAY_API_VERSION}/standard-install.yaml"
)

# Oldest tool versions the backend is written against (flags and output formats it parses).
MINIMUM_VERSIONS = {
    "docker": (20, 10, 0),
    "kind": (0, 20, 0),
    "kubectl": (1, 30, 0),
}

# The sample workloads: an echo server that answers every request with a JSON echo of the
# method, path and headers it received and, with ECHO_INCLUDE_ENV_VARS, its environment (we set
# SERVICE_NAME and SERVICE_VERSION there). Tag 42, OCI index digest.
ECHO_IMAGE = "ghcr.io/mendhak/http-https-echo:42@sha256:a265f55c86cb3baead76fdf379dc8e9e6440ed121874e101e60b833e05bce8d4"
# Pods whose Services Istio treats as TCP only: istio's own tcp-echo-server (samples/tcp-echo, as
# the TCP Traffic Shifting task deploys it; args: ports, prefix). Pinned by its tag: the digest
# could not be fetched here.
TCP_ECHO_IMAGE = "docker.io/istio/tcp-echo-server:1.3"
# The client pod's tools container for nc / openssl s_client checks: netshoot carries
# netcat-openbsd (nc -N, -w) and OpenSSL 3. Pinned by its tag (the digest could not be fetched
# here); before the first connection check the backend verifies the tools and the OpenSSL
# version inside it (labs/connections.py Shell.preflight) and skips the check, saying why, if not.
TOOLS_IMAGE = "docker.io/nicolaka/netshoot:v0.13"
# The client pod (Istio's sleep/curl sample runs curlimages/curl).
CURL_IMAGE = "curlimages/curl@sha256:7c12af72ceb38b7432ab85e1a265cff6ae58e06f95539d539b654f2cfa64bb13"

# The cluster the backend creates, and the node label that marks it as ours (see labs/kind/cluster.yaml).
CLUSTER_NAME = "istio-notebook"
CLUSTER_MARKER_LABEL = "istio-notebook.dev/lab-cluster"
CLUSTER_MARKER_VALUE = "true"
