"""Istio 1.24+ default retry policy: no retriable status codes (503 is not retried by default).

pilot/pkg/networking/core/route/retry/retry.go (defaultPolicy, ConvertPolicy, parseRetryOn) and
istio.io/latest/news/releases/1.24.x/announcing-1.24/change-notes/ ("Fixed default retry policy to
exclude retries on 503 ... EXCLUDE_UNSAFE_503_FROM_DEFAULT_RETRY").
"""

from __future__ import annotations

from istio_notebook.envoy.routes import retry_policy as envoy_retry_policy
from istio_notebook.routing.actions import retry_policy
from istio_notebook.routing.table import DEFAULT_RETRY_ON, RouteAction


def _envoy(policy) -> dict:
    return envoy_retry_policy(RouteAction(kind="route", retries=policy))


def test_no_retries_field_gives_the_default_without_status_codes() -> None:
    policy = retry_policy(None)
    assert (policy.attempts, policy.retry_on, policy.retriable_status_codes) == (2, DEFAULT_RETRY_ON, ())
    assert "retriable_status_codes" not in _envoy(policy)


def test_attempts_without_retry_on_keep_the_default_conditions_and_no_codes() -> None:
    policy = retry_policy({"attempts": 3, "perTryTimeout": "2s"})
    assert (policy.attempts, policy.retry_on, policy.retriable_status_codes) == (3, DEFAULT_RETRY_ON, ())


def test_status_codes_in_retry_on_become_retriable_status_codes() -> None:
    policy = retry_policy({"attempts": 2, "retryOn": "503,connect-failure"})
    assert policy.retry_on == "connect-failure,retriable-status-codes"
    assert policy.retriable_status_codes == (503,)
    assert _envoy(policy)["retriable_status_codes"] == [503]


def test_a_number_that_is_no_http_status_stays_a_condition() -> None:
    # parseRetryOn only takes parts for which http.StatusText is known.
    policy = retry_policy({"attempts": 1, "retryOn": "999,5xx"})
    assert policy.retriable_status_codes == () and policy.retry_on == "999,5xx"
