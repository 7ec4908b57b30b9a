"""Whether istiod can build the ext_authz filter a CUSTOM AuthorizationPolicy names.

istio 1.30 pilot/pkg/security/authz/builder: processExtensionProvider (extauthz.go) resolves
MeshConfig `extensionProviders` of kind envoyExtAuthzHttp / envoyExtAuthzGrpc, each needing its
`service` (optionally `ns/host`) and `port` to name a known service (model.LookupCluster);
getExtAuthz fails for a name that is not among them. On failure, and when one workload's CUSTOM
policies name several providers without PILOT_ENABLE_MULTIPLE_CUSTOM_AUTHZ_PROVIDERS (default
false, features/security.go), buildHTTP/buildTCP install getBadCustomDenyRules instead: the
CUSTOM rules become DENY rules (policy names suffixed `-deny-due-to-bad-CUSTOM-action`), so a
request a CUSTOM rule matches is denied.
"""

from __future__ import annotations

from dataclasses import dataclass

from istio_notebook.config import Mesh
from istio_notebook.config.decimal import decimal_value
from istio_notebook.config.meshconfig import extension_providers
from istio_notebook.routing.build import registry_of

EXT_AUTHZ_KINDS = ("envoyExtAuthzHttp", "envoyExtAuthzGrpc")


@dataclass(frozen=True)
class ProviderCheck:
    name: str | None
    problem: str | None  # None: istiod builds the ext_authz filter; else why it denies instead

    @property
    def usable(self) -> bool:
        return self.problem is None


def provider_name(policy) -> str | None:
    provider = policy.spec.get("provider")
    name = provider.get("name") if isinstance(provider, dict) else None
    return str(name) if name is not None else None


def check_providers(mesh: Mesh, custom_policies: list) -> dict[str, ProviderCheck]:
    """Per provider name the workload's CUSTOM policies use: can istiod build it."""
    names = sorted({provider_name(p) or "" for p in custom_policies})
    if len(names) > 1:
        problem = f"several CUSTOM providers on one workload ({', '.join(names)}) need PILOT_ENABLE_MULTIPLE_CUSTOM_AUTHZ_PROVIDERS"
        return {name: ProviderCheck(name, problem) for name in names}
    declared, source = extension_providers(mesh)
    out = {}
    for name in names:
        out[name] = ProviderCheck(name, _problem(mesh, name, declared, source))
    return out


def _problem(mesh: Mesh, name: str, declared: list[dict], source: str | None) -> str | None:
    if not name:
        return "no provider specified in authorization policy"
    matching = [p for p in declared if p.get("name") == name]
    if not matching:
        where = source or "the mesh default MeshConfig (no extension providers)"
        return f"extension provider {name!r} is not defined in {where}"
    if len(matching) > 1:
        return f"extension provider name must be unique, found duplicate: {name}"
    provider = matching[0]
    kind = next((k for k in EXT_AUTHZ_KINDS if isinstance(provider.get(k), dict)), None)
    if kind is None:
        return f"extension provider {name!r} is not an ext_authz provider ({', '.join(EXT_AUTHZ_KINDS)})"
    return _service_problem(mesh, name, provider[kind])


def _service_problem(mesh: Mesh, name: str, config: dict) -> str | None:
    service, raw = config.get("service"), config.get("port")
    port = raw if isinstance(raw, int) and not isinstance(raw, bool) else decimal_value(raw)
    if not isinstance(service, str) or not service:
        return f"extension provider {name!r} has no service"
    if port is None or not 0 < port < 65536:
        return f"extension provider {name!r} has an invalid port {config.get('port')!r}"
    namespace, _, host = service.rpartition("/")
    found = registry_of(mesh).lookup(host, namespace or None)
    if found is None or found.port(port) is None:
        return f"extension provider {name!r}: service {service}:{port} is not in the registry"
    return None


def bad_custom_policies(mesh: Mesh, policies: list) -> frozenset[str]:
    """Keys (`ns/name`) of the CUSTOM policies among `policies` that istiod turns into DENY rules."""
    customs = [p for p in policies if str(p.spec.get("action") or "").upper() == "CUSTOM"]
    checks = check_providers(mesh, customs)
    return frozenset(f"{p.namespace}/{p.name}" for p in customs if not checks[provider_name(p) or ""].usable)
