"""ReferenceGrant: may an object in one namespace refer to one in another (gateway-api ReferenceGrant v1)?

A reference across namespaces is allowed when a ReferenceGrant in the *target's* namespace lists
the referring kind and namespace in ``from`` and the target's kind (and name, when given) in
``to`` (istio/istio pilot/pkg/config/kube/gatewaycommon ReferenceGrants.BackendAllowed /
SecretAllowed). References within one namespace need no grant.
"""

from __future__ import annotations

from istio_notebook.config import Mesh
from istio_notebook.config.shape import mappings
from istio_notebook.gatewayapi.model import of_kind


def allowed(mesh: Mesh, source: tuple[str, str, str], target: tuple[str, str, str, str]) -> bool:
    """``source`` = (group, kind, namespace) refers to ``target`` = (group, kind, namespace, name)."""
    s_group, s_kind, s_namespace = source
    t_group, t_kind, t_namespace, t_name = target
    if s_namespace == t_namespace:
        return True
    for grant in of_kind(mesh, "ReferenceGrant"):
        if grant.namespace != t_namespace:
            continue
        froms = mappings(grant.spec.get("from"))
        tos = mappings(grant.spec.get("to"))
        if not any((f.get("group") or "") == s_group and f.get("kind") == s_kind and f.get("namespace") == s_namespace for f in froms):
            continue
        if any((t.get("group") or "") == t_group and t.get("kind") == t_kind and t.get("name") in (None, "", t_name) for t in tos):
            return True
    return False
