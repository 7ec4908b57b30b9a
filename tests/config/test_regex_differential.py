"""Differential test: the fallback regex engine (RE2 syntax translated for Python ``re``, used in
the browser where google-re2 has no build) against google-re2 itself.

For generated patterns (valid and invalid RE2) and subjects, both engines must agree on whether
the pattern compiles, on RE2's error text when it does not, and when it does on full match
(Envoy's safe_regex), on the spans of an unanchored search and its groups (the API server's
``pattern``; regex_rewrite's groups) and on a substitution of every match. Each known
divergence is left out of the generator here, pinned in tests/config/test_regex.py and listed in
docs/contributing/syntax.md. Fixed seed (derandomize), 5,000 cases per run.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from istio_notebook.config.regex.backends import compile_python, compile_re2
from istio_notebook.config.regex.errors import RegexError

pytest.importorskip("re2")

# Runes where case folding, word classes and line ends are easy to get wrong: Kelvin sign,
# long s, dotted/dotless i, sharp s, Greek sigma forms, a combining mark, a non-BMP letter.
ALPHABET = "aAbBkKsSiI\u212a\u017f\u0130\u0131\u00df\u1e9e\u03c3\u03c2\u03a3\u00e9\u0301\U00010400\U00010428 \t\n\v\r_-.0129{},[]"

LITERALS = list("abkKsS_-0é\u212a.") + [" ", "\\n", "\\t", "\\v", "\\.", "\\*", "\\-", "\\_", "\\ ", "\\{", "\\}", "\\[", "\\]", "\\(", "\\)", "\\|", "\\^", "\\$", "\\/"]
ESCAPES = [
    "\\d", "\\D", "\\s", "\\S", "\\w", "\\W", "\\b", "\\B", "\\A", "\\z", "\\x41", "\\x{6b}", "\\x{212A}", "\\101",
    "\\0", "\\08", "\\12", "\\f", "\\a", "\\r", "\\pL", "\\pN", "\\p{Lu}", "\\p{Ll}", "\\PL", "\\p{^Lu}", "\\pZ", "\\p{Any}",
    "\\QK.\\E", "\\Q*\\E", "\\Q\\E",
    # invalid in RE2
    "\\1", "\\8", "\\Z", "\\e", "\\y", "\\x", "\\xZ", "\\x{}", "\\x{110000}", "\\p{Foo}", "\\pX", "\\é", "\\<", "\\G",
]
CLASS_ITEMS = [
    "a", "k", "K", "s", "z", "a-z", "A-Z", "0-9", "\\d", "\\D", "\\s", "\\W", "\\w", "[:alpha:]", "[:^digit:]", "[:word:]",
    "[:upper:]", "[:space:]", "\\pL", "\\PN", "\\p{Ll}", "-", "\\-", "\\]", "\\\\", "é", "\u212a", ".", "[", "^", "_", "\\n",
    "\\x{17f}", "\\b", "z-a", "[:foo:]", "a-\\d", "&&", "\\Q",
]
QUANTIFIERS = ["*", "+", "?", "*?", "+?", "??", "{2}", "{1,3}", "{2,}", "{0}", "{0,1}", "{1}", "{,2}", "{3,1}", "{1001}", "{01}", "{2", "{1000}", "{2}?"]
FLAGS = ["(?i)", "(?s)", "(?m)", "(?U)", "(?-i)", "(?i-s)", "(?)", "(?x)", "(?i-)", "(?--i)"]
OPENERS = ["(", "(?:", "(?i:", "(?-i:", "(?s:", "(?m:", "(?U:", "(?P<n>", "(?<x1>", "(?P<>", "(?P<a-b>", "(?=", "(?!", "(?<=", "(?P=n)"]
STRAY = ["(", ")", "[", "]", "|", "^", "$", "\\", "*", "{", "}", "(?", "(?P<n"]

CLASSES = ["[" + neg + "".join(items) + "]" for neg in ("", "^") for items in (
    *[[item] for item in CLASS_ITEMS], ["a-z", "\\d"], ["[:alpha:]", "_"], ["k", "\\W"], ["\\pL", "0-9"], ["^", "a"], [], ["]", "a"],
)]
OPENER, CLOSE = "open", ")"
# Flat token lists are cheap for hypothesis to draw and shrink (a recursive strategy spent most
# of the run generating); openers left unclosed are closed at the end unless ``unbalanced``.
TOKENS = [*LITERALS, *ESCAPES, *CLASSES, "^", "$", ".", "|", *FLAGS, *QUANTIFIERS, *QUANTIFIERS[:6], *[(OPENER, o) for o in OPENERS], *[(OPENER, "(")] * 4, *[CLOSE] * 6]


def build(indices: list[int], unbalanced: bool, stray: int | None) -> str:
    out, depth = [], 0
    for index in indices:
        token = TOKENS[index]
        if isinstance(token, tuple):
            token, depth = token[1], depth + 1
        elif token == CLOSE:
            if depth == 0 and not unbalanced:
                continue
            depth = max(depth - 1, 0)
        out.append(token)
    if not unbalanced:
        out.append(")" * depth)
    if stray is not None:
        out.insert(len(out) // 2, STRAY[stray])
    return "".join(out)


patterns = st.builds(
    build,
    st.lists(st.integers(0, len(TOKENS) - 1), max_size=8),
    st.integers(0, 9).map(lambda n: n == 0),
    st.one_of(st.none(), st.none(), st.none(), st.integers(0, len(STRAY) - 1)),
)
subjects = st.lists(st.text(alphabet=ALPHABET, max_size=6), min_size=1, max_size=4)


def _outcome(compile_, pattern, texts):
    try:
        regex = compile_(pattern)
    except RegexError as problem:
        return ("error", str(problem))
    return ("ok", [(regex.fullmatch(t), _groups(regex, t), _substitution(regex, t)) for t in texts])


def _substitution(regex, text):
    """Every match replaced, unless one is empty: after an empty match google-re2's Python
    wrapper, Python's re.sub and Envoy's RE2::GlobalReplace each resume differently (syntax.md)."""
    if any(m.start() == m.end() for m in regex.compiled.finditer(text)):
        return None
    return regex.sub("<\\g<0>>", text)


def _groups(regex, text):
    """Where the leftmost match and its groups are: greediness and (?U) show only here and in sub."""
    found = regex.compiled.search(text)
    return found and [found.span(i) for i in range(len(found.groups()) + 1)]


@settings(max_examples=5000, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(pattern=patterns, texts=subjects)
def test_fallback_engine_agrees_with_google_re2(pattern, texts):
    expected = _outcome(compile_re2, pattern, texts)
    actual = _outcome(compile_python, pattern, texts)
    assert actual == expected, f"pattern {pattern!r} on {texts!r}"


@settings(max_examples=2000, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(pattern=patterns, texts=subjects)
def test_the_one_call_full_match_is_the_packages(pattern, texts):
    """backends.Re2Regex asks RE2 itself for a full match; google-re2's own fullmatch must agree."""
    try:
        regex = compile_re2(pattern)
    except RegexError:
        return
    assert regex.program is not None  # the package internals it relies on are there
    for text in texts:
        assert regex.fullmatch(text) == (regex.compiled.fullmatch(text) is not None), (pattern, text)
