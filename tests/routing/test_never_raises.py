"""Whatever shape a resource's spec has, routing and authz answer instead of raising.

The validator reports malformed resources; the simulator must still give an answer (the CLI and
the MkDocs plugin promise "no traceback, ever"). Specs are generated from the field names Istio
uses, with values of any JSON type.
"""

from __future__ import annotations

import json
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from istio_notebook.authz import Source, Workload, authorize
from istio_notebook.config import Mesh, Origin, load_text
from istio_notebook.routing import Proxy, Request, route

FIELDS = [
    "hosts", "gateways", "http", "match", "route", "destination", "host", "subset", "port", "number", "weight",
    "uri", "exact", "prefix", "regex", "headers", "withoutHeaders", "queryParams", "rewrite", "redirect",
    "directResponse", "delegate", "fault", "abort", "delay", "percentage", "value", "retries", "timeout", "mirror",
    "mirrors", "exportTo", "subsets", "labels", "trafficPolicy", "selector", "servers", "tls", "mode", "name",
    "namespace", "rules", "from", "to", "when", "source", "operation", "principals", "paths", "methods", "key",
    "values", "action", "matchLabels", "mtls", "portLevelMtls", "egress", "outboundTrafficPolicy", "sourceLabels",
]
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 70000), st.sampled_from(["reviews", "*", "/", "v1", "a/b", "(", ""]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.sampled_from(FIELDS), inner, max_size=4)),
                      max_leaves=25)
KINDS = [("networking.istio.io/v1", k) for k in ("VirtualService", "DestinationRule", "Gateway", "ServiceEntry", "Sidecar")] + [
    ("security.istio.io/v1", k) for k in ("AuthorizationPolicy", "PeerAuthentication", "RequestAuthentication")] + [("v1", "Service")]
BASE = """apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: default}
spec: {selector: {app: reviews}, ports: [{name: http, port: 9080}]}
"""


# FUZZ_EXAMPLES=1000 for a longer search (checked clean at 600).
@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "40")), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(KINDS), st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=5)), max_size=4))
def test_any_spec_shape_gets_an_answer(documents):
    resources = list(load_text(BASE, Origin("base.yaml")).resources)
    for index, ((api_version, kind), spec) in enumerate(documents):
        body = {"apiVersion": api_version, "kind": kind, "metadata": {"name": f"r{index}", "namespace": "default"}, "spec": spec}
        resources += load_text(json.dumps(body), Origin(f"doc{index}.yaml"), first_order=len(resources)).resources
    mesh = Mesh(resources)
    request = Request.parse("GET http://reviews:9080/a?b=1", ["end-user: jason"])
    for proxy in (Proxy.sidecar("default", {"app": "x"}), Proxy.gateway("default", "r0")):
        assert route(mesh, request, proxy).to_json()["action"]
    decision = authorize(mesh, request, Workload("default", {"app": "reviews"}), Source(principal="cluster.local/ns/a/sa/b", claims={"iss": "x"}))
    assert decision.to_json()["decision"] in ("ALLOW", "DENY")
