"""Trace lines rendered in parts (routing/trace.py ``Trace.around``): the text around a
request's value is made once per table entry, and the line is the one ``Trace.text`` writes."""

from __future__ import annotations

import pytest
from istio_notebook.routing.trace import Trace

STEPS = {
    "plain": ("Host {authority} → virtual host {vhost}", "Host {authority} → 仮想ホスト {vhost}"),
    "quoted": ("header wants {value!r}, got {actual!r}", "ヘッダー {value!r} (実際は {actual!r})"),
    "twice": ("{path} and again {path}", "{path} / {path}"),
    "padded": ("[{path:>8}]", "[{path:>8}]"),
}


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("step, fixed, name", [
    ("plain", {"vhost": "reviews:9080"}, "authority"),
    ("quoted", {"value": "jason"}, "actual"),
    ("twice", {}, "path"),
    ("padded", {}, "path"),
])
def test_a_line_made_around_its_value_is_the_whole_line(lang, step, fixed, name):
    cache: dict = {}
    trace = Trace(lang, STEPS)
    for value in ["a", "it's \"quoted\"", "{braces}", "\x00\ufdd0\x00", "日本語", ""]:
        assert trace.around(cache, ("k",), step, lambda: dict(fixed), name, value) == trace.text(step, **fixed, **{name: value})


def test_only_a_plain_field_is_cut():
    cache: dict = {}
    trace = Trace("en", STEPS)
    for step, fixed, name in [("plain", {"vhost": "v"}, "authority"), ("quoted", {"value": "x"}, "actual"),
                              ("twice", {}, "path"), ("padded", {}, "path")]:
        trace.around(cache, (step,), step, lambda fixed=fixed: fixed, name, "value")
    assert cache[("en", ("plain",))] == ("Host ", " → virtual host v")
    assert cache[("en", ("quoted",))] == cache[("en", ("twice",))] == cache[("en", ("padded",))] == ()


def test_a_fixed_argument_holding_the_mark_is_rendered_whole():
    cache: dict = {}
    trace = Trace("en", STEPS)
    line = trace.around(cache, ("k",), "plain", lambda: {"vhost": "\x00\ufdd0\x00"}, "authority", "h")
    assert line == "Host h → virtual host \x00\ufdd0\x00" and cache[("en", ("k",))] == ()
