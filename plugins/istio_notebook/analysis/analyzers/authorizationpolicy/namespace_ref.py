"""IST0101 (namespace): an AuthorizationPolicy source names a namespace that does not exist.

As istioctl's ``auth.AuthorizationPoliciesAnalyzer`` (authz/authorizationpolicies.go,
analyzeNamespaceNotFound): every ``rules[].from[].source.namespaces`` and ``notNamespaces``
entry must match a namespace — ``*`` matches all, ``prefix*`` and ``*suffix`` match by prefix or
suffix, otherwise case-insensitive equality. Judged only when the input has a Namespace object;
a namespace exists when a Namespace object names it or a resource of the input lives in it
(istioctl counts Namespace objects only).
"""

from __future__ import annotations

from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.util import as_dict, as_list, enumerate_dicts
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="authorizationpolicy.NamespaceAnalyzer",
    description="Checks that namespaces named in AuthorizationPolicy sources exist",
    inputs=("AuthorizationPolicy", "Namespace"),
)


def namespace_matches(namespace: str, pattern: str) -> bool:
    if pattern == "*":
        return True
    if pattern.startswith("*"):
        return namespace.endswith(pattern[1:])
    if pattern.endswith("*"):
        return namespace.startswith(pattern[:-1])
    return namespace.lower() == pattern.lower()


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    if not ctx.has("Namespace"):
        return
    known = ctx.mesh.namespaces
    lowered = {n.lower() for n in known}
    for policy in ctx.of_kind("AuthorizationPolicy"):
        for i, rule in enumerate_dicts(policy.get("spec", "rules")):
            for j, source_from in enumerate_dicts(rule.get("from")):
                source = as_dict(source_from.get("source"))
                for field in ("namespaces", "notNamespaces"):
                    for k, pattern in enumerate(as_list(source.get(field))):
                        if not isinstance(pattern, str):
                            continue
                        wildcard = pattern.startswith("*") or pattern.endswith("*")
                        found = any(namespace_matches(n, pattern) for n in known) if wildcard else pattern.lower() in lowered
                        if not found:
                            path = ("spec", "rules", i, "from", j, "source", field, k)
                            yield messages.referenced_resource_not_found(policy, path, "namespace", pattern)
