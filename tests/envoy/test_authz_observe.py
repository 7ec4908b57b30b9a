"""Reading an inbound listener's HTTP answer into the authorization decision, without Envoy.

The answers are those real Envoy gives (tests/envoy/test_authz_replay.py replays them): Envoy's
RBAC filter denies with 403 and response code details
``rbac_access_denied_matched_policy[<policy id>]`` or ``[none]`` (Envoy docs, HTTP RBAC filter:
"Statistics"/"Dynamic Metadata"; istio/istio pilot/pkg/security/authz/builder names policies
``ns[<ns>]-policy[<name>]-rule[<i>]``); jwt_authn denies with 401
``jwt_authn_access_denied{...}``; a request the app answered has details ``via_upstream``.
"""

from __future__ import annotations

from istio_notebook.authz.model import AuthzDecision
from istio_notebook.envoy.authz_replay import http_decision
from istio_notebook.envoy.rbac import BAD_CUSTOM_SUFFIX


def test_a_matched_deny_policy_names_the_policy_and_rule() -> None:
    decision = http_decision(403, "rbac_access_denied_matched_policy[ns[foo]-policy[deny-admin]-rule[2]]")
    assert decision == AuthzDecision("DENY", "foo/deny-admin", "DENY", 2)


def test_no_matching_allow_policy_denies_without_a_policy() -> None:
    assert http_decision(403, "rbac_access_denied_matched_policy[none]") == AuthzDecision("DENY")


def test_a_bad_custom_rule_is_reported_as_custom() -> None:
    details = f"rbac_access_denied_matched_policy[ns[foo]-policy[ext]-rule[0]{BAD_CUSTOM_SUFFIX}]"
    assert http_decision(403, details) == AuthzDecision("DENY", "foo/ext", "CUSTOM", 0)


def test_a_failed_token_denies_and_the_apps_answer_allows() -> None:
    assert http_decision(401, "jwt_authn_access_denied{Jwt_verification_fails}").decision == "DENY"
    assert http_decision(200, "via_upstream").decision == "ALLOW"
    assert http_decision(404, "via_upstream").decision == "ALLOW"  # the app's own status


def test_an_answer_from_neither_rbac_nor_the_app_decides_nothing() -> None:
    decision = http_decision(503, "upstream_reset_before_response_started{connection_failure}")
    assert decision.decision is None and decision.trace == ["envoy: neither RBAC nor the app answered"]


def test_the_json_keeps_the_contract_and_adds_envoy_only_when_observed() -> None:
    keys = ["decision", "policy", "action", "rule_index", "trace"]
    assert list(AuthzDecision("ALLOW").to_json()) == keys
    assert list(AuthzDecision("ALLOW", envoy={"status": 200}).to_json()) == [*keys, "envoy"]
