"""The hand-run steps on each lab's page send every request from the pod the kind backend uses.

A check written as plaintext (``@mtls off``) must leave from the client without a sidecar: with
a sidecar, auto mTLS would upgrade it and a STRICT PeerAuthentication would let it in
(istio.io, Mutual TLS Migration; PeerAuthentication reference). A check with
``@source-principal cluster.local/ns/bar/sa/sleep`` must leave from bar's sleep pod, or the
principal istiod's certificate carries is foo's and the expected DENY turns into ALLOW.
"""

from __future__ import annotations

from dataclasses import replace

from labs_testkit import REPO
from istio_notebook.config import Mesh
from istio_notebook.labs import manual
from istio_notebook.labs.catalog import Catalog
from istio_notebook.labs.kind import client_for
from istio_notebook.labs.scenario import read_checks

CATALOG = Catalog.load(REPO)


def _blocks(name: str) -> dict[str, str]:
    """Each check's title → its command and expectation lines, from the generated steps."""
    text = manual.steps(CATALOG.labs[name], REPO)
    blocks: dict[str, str] = {}
    for block in text.split("\n\n")[1:]:
        title, _, rest = block.partition("\n")
        blocks[title.removeprefix("# ")] = rest
    return blocks


def test_each_request_leaves_from_the_pod_the_kind_backend_picks() -> None:
    lab = CATALOG.labs["mtls-authorization"]
    checks, _ = read_checks(lab.checks_file)
    steps = manual.steps(lab, REPO)
    for check in checks:
        client = client_for(check, Mesh(), lab.client)
        assert f"kubectl exec -n {client.namespace} $(kubectl get pod -n {client.namespace} -l {client.selector} " in steps


def test_plaintext_and_other_namespace_checks_do_not_leave_from_foo() -> None:
    blocks = _blocks("mtls-authorization")
    bar = next(body for title, body in blocks.items() if title.startswith("bar の sleep"))
    plaintext = next(body for title, body in blocks.items() if "平文" in title)
    assert bar.startswith("kubectl exec -n bar ")
    assert "kubectl exec -n outside " in plaintext and "-l app=outside-client " in plaintext


def test_expectations_no_client_can_observe_say_so() -> None:
    routing = manual.steps(CATALOG.labs["request-routing"], REPO)
    cluster = next(line for line in routing.splitlines() if line.startswith("#   → cluster "))
    destination = next(line for line in routing.splitlines() if line == "#   → reviews v2")
    assert cluster.endswith(manual.UNOBSERVABLE_NOTE)
    assert not destination.endswith(manual.UNOBSERVABLE_NOTE)


def test_a_check_no_pod_can_send_is_named_instead_of_sent_from_the_default_client() -> None:
    # JWT claims cannot be forged from a pod: the kind backend skips such a check, the page says why.
    lab = CATALOG.labs["mtls-authorization"]
    checks, _ = read_checks(lab.checks_file)
    forged = replace(checks[0], context=replace(checks[0].context, claims={"iss": "https://accounts.example.com"}))
    reason = manual._client(forged, lab.client)
    assert isinstance(reason, str) and "JWT" in reason


def test_an_authorization_verdict_says_what_curl_shows():
    # A denial is 403 "RBAC: access denied" from the RBAC filter (istio.io, Authorization for
    # HTTP traffic); a plaintext client that STRICT refuses gets no HTTP response at all.
    steps = manual.steps(CATALOG.labs["mtls-authorization"], REPO).splitlines()
    assert "#   → DENY" + manual.AUTHZ_NOTES["DENY"] in steps
    assert "#   → ALLOW" + manual.AUTHZ_NOTES["ALLOW"] in steps
