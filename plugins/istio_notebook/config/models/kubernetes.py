"""Kubernetes objects, modelled only as far as the service registry needs them.

Namespace, Service, Deployment and Pod: metadata, labels, selectors, ports, container ports,
pod template labels. Everything else Kubernetes defines is accepted as it is (``extra="allow"``
on the loose parts), so a valid manifest is never flagged for fields we do not model.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict
from pydantic_core import PydanticCustomError

from istio_notebook.config.models.base import Int32, Int64, Message, StrictBool, Struct


class Loose(BaseModel):
    """A Kubernetes structure whose unmodelled fields are kept, not refused."""

    model_config = ConfigDict(extra="allow", allow_inf_nan=False)


def _int_or_string(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise PydanticCustomError("int_or_string", "expected a port number or a port name")
    return value


IntOrString = Annotated[Any, AfterValidator(_int_or_string)]
Protocol = Literal["TCP", "UDP", "SCTP"]


class OwnerReference(Loose):
    apiVersion: str | None = None
    kind: str | None = None
    name: str | None = None


class ObjectMeta(Message):
    name: str | None = None
    generateName: str | None = None
    namespace: str | None = None
    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None
    uid: str | None = None
    resourceVersion: str | None = None
    generation: Int64 | None = None
    creationTimestamp: str | None = None
    deletionTimestamp: str | None = None
    deletionGracePeriodSeconds: Int64 | None = None
    finalizers: list[str] | None = None
    ownerReferences: list[OwnerReference] | None = None
    managedFields: list[Struct] | None = None
    selfLink: str | None = None


class LabelSelectorRequirement(Message):
    key: str
    operator: Literal["In", "NotIn", "Exists", "DoesNotExist"]
    values: list[str] | None = None


class LabelSelector(Message):
    matchLabels: dict[str, str] | None = None
    matchExpressions: list[LabelSelectorRequirement] | None = None


class ServicePort(Message):
    name: str | None = None
    protocol: Protocol | None = None
    appProtocol: str | None = None
    port: Int32
    targetPort: IntOrString | None = None
    nodePort: Int32 | None = None


class ServiceSpec(Loose):
    selector: dict[str, str] | None = None
    ports: list[ServicePort] | None = None
    type: Literal["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"] | None = None
    clusterIP: str | None = None
    clusterIPs: list[str] | None = None
    externalName: str | None = None


class ContainerPort(Message):
    name: str | None = None
    containerPort: Int32
    protocol: Protocol | None = None
    hostPort: Int32 | None = None
    hostIP: str | None = None


class Container(Loose):
    name: str
    image: str | None = None
    ports: list[ContainerPort] | None = None


class PodSpec(Loose):
    containers: list[Container] | None = None
    initContainers: list[Container] | None = None
    serviceAccountName: str | None = None
    hostNetwork: StrictBool | None = None


class PodTemplateSpec(Message):
    metadata: ObjectMeta | None = None
    spec: PodSpec | None = None


class DeploymentSpec(Loose):
    replicas: Int32 | None = None
    selector: LabelSelector | None = None
    template: PodTemplateSpec | None = None


class NamespaceSpec(Loose):
    finalizers: list[str] | None = None
