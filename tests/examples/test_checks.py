"""The ```check fence grammar: curl line, context lines, expectation lines, errors with file:line."""

import pytest

from istio_notebook.config import Origin
from istio_notebook.examples.checks import join_title, parse_checks, parse_curl

ORIGIN = Origin("docs/p.md", line_offset=9)  # the fence body starts at file line 10


def test_curl_line():
    r = parse_curl("curl -X PUT -H 'end-user: jason' -H 'x-a: b' http://reviews:9080/r/1")
    assert (r.method, r.url, r.headers) == ("PUT", "http://reviews:9080/r/1", ["end-user: jason", "x-a: b"])
    assert parse_curl("curl --data '{}' http://a/").method == "POST"
    assert parse_curl("curl -s http://a/").method == "GET"


@pytest.mark.parametrize(
    "line, reason",
    [
        ("curl", "exactly one URL"),
        ("curl -Z http://a/", "unsupported curl option -Z"),
        ("curl -H 'nocolon' http://a/", "is not 'Name: value'"),
        ("curl http://a/ http://b/", "several URLs"),
        ("curl ftp://a/", "is not an http"),
        ("curl 'http://a/", "cannot split"),
    ],
)
def test_curl_errors_say_why(line, reason):
    with pytest.raises(ValueError, match=reason):
        parse_curl(line)


def test_a_title_over_several_comment_lines_keeps_japanese_sentences_whole():
    body = "# ratings は見えず、\n# REGISTRY_ONLY なので遮断される\n# （502）\ncurl http://ratings:9080/\n→ blackhole\n"
    (check,) = parse_checks(body, ORIGIN)
    # Japanese wraps without spaces: none after "、", none between "る" and "（".
    assert check.title == "ratings は見えず、REGISTRY_ONLY なので遮断される（502）"
    assert join_title(["route to v2", "for jason"]) == "route to v2 for jason"


def test_checks_are_separated_by_blank_lines_with_titles_and_file_lines():
    body = "# jason は v2\ncurl -H 'end-user: jason' http://reviews:9080/\n→ reviews v2\n\n# 他は v1\ncurl http://reviews:9080/\n=> reviews v1\n"
    checks = parse_checks(body, ORIGIN)
    assert [(c.title, c.line) for c in checks] == [("jason は v2", 11), ("他は v1", 15)]
    assert [e.line for c in checks for e in c.expectations] == [12, 16]
    assert all(not c.diagnostics for c in checks)


def test_context_lines_override_the_fence_defaults():
    body = "curl http://h/\n@from foo/app=a,v=1\n@source-principal cluster.local/ns/x/sa/y\n@claim iss=me\n@mtls off\n→ ALLOW\n"
    check = parse_checks(body, ORIGIN)[0]
    ctx = check.context
    assert (ctx.from_, ctx.source_principal, ctx.claims, ctx.mtls) == ("foo/app=a,v=1", "cluster.local/ns/x/sa/y", {"iss": "me"}, False)
    assert check.is_authz


def test_backslash_continuation_joins_the_curl_line():
    check = parse_checks("curl -H 'a: b' \\\n  http://h/\n→ 404\n", ORIGIN)[0]
    assert check.request.url == "http://h/" and check.line == 10


def test_syntax_errors_become_diagnostics_on_their_line():
    body = "curl http://h/\n@via nogateway\n→ reviews v1 v2 v3\nhello\n\ncurl http://h/\n"
    first, second = parse_checks(body, ORIGIN)
    assert [(d.code, d.line) for d in first.diagnostics] == [("INB3013", 11), ("INB3012", 12), ("INB3014", 13)]
    assert [(d.code, d.line) for d in second.diagnostics] == [("INB3011", 15)]


def test_a_paragraph_of_comments_is_not_a_check():
    assert parse_checks("# just a note\n# more\n", ORIGIN) == []
