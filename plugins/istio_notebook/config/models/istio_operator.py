"""install.istio.io/v1alpha1 IstioOperator: the top level is typed, the free-form parts stay loose.

``values``, ``meshConfig``, ``unvalidatedValues`` and each component's ``k8s`` overlay are
``x-kubernetes-preserve-unknown-fields`` in the real CRD, so they take any mapping here too.
"""

from __future__ import annotations

from typing import Any

from istio_notebook.config.models.base import Message, StrictBool, Struct


class ComponentSpec(Message):
    enabled: StrictBool | None = None
    namespace: str | None = None
    hub: str | None = None
    tag: Any = None  # a version string or number, as Helm takes it
    k8s: Struct | None = None


class GatewayComponentSpec(ComponentSpec):
    name: str | None = None
    label: dict[str, str] | None = None


class Components(Message):
    base: ComponentSpec | None = None
    pilot: ComponentSpec | None = None
    cni: ComponentSpec | None = None
    ztunnel: ComponentSpec | None = None
    istiodRemote: ComponentSpec | None = None
    ingressGateways: list[GatewayComponentSpec] | None = None
    egressGateways: list[GatewayComponentSpec] | None = None


class IstioOperator(Message):
    profile: str | None = None
    installPackagePath: str | None = None
    namespace: str | None = None
    hub: str | None = None
    tag: Any = None
    revision: str | None = None
    compatibilityVersion: str | None = None
    meshConfig: Struct | None = None
    components: Components | None = None
    values: Struct | None = None
    unvalidatedValues: Struct | None = None
