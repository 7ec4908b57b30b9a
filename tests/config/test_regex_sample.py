"""A sample of an Istio regex: a string the pattern accepts under RE2's full match (config/regex/sample.py).

The Envoy backend sends it as a probe when only a regex says what passes (a CORS policy whose
origins are all regexes, as Gateway API's CORS filter writes ``*`` and ``https://*.example.com``).
Every sample is checked here with RE2 itself (google-re2), so a wrong walk of the pattern fails.
"""

from __future__ import annotations

import pytest

from istio_notebook.config.regex import compile_regex
from istio_notebook.config.regex.sample import sample

PATTERNS = [
    r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s?#]+$",  # istio 1.30 conversion.go createCorsFilter: origin "*"
    r"^https://.*\.example\.com$",  # createCorsFilter: "https://*.example.com" (QuoteMeta, * → .*)
    r"(a|b)+x{3}",
    r"\d+\w",
    r"[^a]",
    r"\bfoo\b",
    r"(?i)ABC",
    r"x{0}y",
    r"a{2,5}",
    r"\pL+[[:digit:]]",
    r"(?:v1|v2)/\Q.+\E",
]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_the_sample_is_accepted_by_re2(pattern: str) -> None:
    found = sample(pattern)
    assert found is not None
    assert compile_regex(pattern).fullmatch(found), found


def test_a_repeat_gives_one_character_where_it_may_give_none() -> None:
    # A probe origin reads like one: "https://a.example.com", not "https://.example.com".
    assert sample(r"^https://.*\.example\.com$") == "https://a.example.com"


def test_a_preferred_text_wins_when_the_pattern_takes_it() -> None:
    assert sample(r"^https://.*\.example\.com$", ("https://any.example.com",)) == "https://any.example.com"
    assert sample(r"^https://.*\.test$", ("https://any.example.com",)) == "https://a.test"


@pytest.mark.parametrize("pattern", [r"(", r"[^\x00-\x7f]", r"a\bb"])
def test_no_sample_when_the_pattern_does_not_compile_or_none_is_found(pattern: str) -> None:
    # "(": not RE2; a class of no printable ASCII character; a boundary no text can satisfy.
    assert sample(pattern) is None
