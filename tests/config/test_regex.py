"""The regex backend (istio_notebook.config.regex): selection at import time, and every known
divergence of the fallback engine from google-re2, each pinned against google-re2 itself so that
the list in docs/contributing/syntax.md stays true. The generated comparison is in
test_regex_differential.py."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from istio_notebook.config import regex
from istio_notebook.config.regex.backends import compile_python, compile_re2
from istio_notebook.config.regex.errors import RegexError, UnsupportedRegex

re2 = pytest.importorskip("re2")


def _select(env: dict[str, str], *, hide_re2: bool = False) -> str:
    """The backend a fresh interpreter selects (google-re2 hidden by a meta-path blocker)."""
    blocker = "import sys\nclass B:\n def find_spec(self, name, *a):\n  if name == 're2': raise ImportError(name)\nsys.meta_path.insert(0, B())\n"
    code = (blocker if hide_re2 else "") + "from istio_notebook.config import regex; print(regex.BACKEND)"
    run = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, text=True, check=True)
    return run.stdout.strip()


def test_google_re2_is_selected_when_it_imports():
    assert regex.BACKEND == "re2" or os.environ.get("ISTIO_NOTEBOOK_REGEX") == "python"
    assert _select({"ISTIO_NOTEBOOK_REGEX": ""}) == "re2"


def test_the_fallback_is_selected_when_google_re2_is_missing_or_forced():
    assert _select({"ISTIO_NOTEBOOK_REGEX": ""}, hide_re2=True) == "python"
    assert _select({"ISTIO_NOTEBOOK_REGEX": "python"}) == "python"


@pytest.mark.parametrize("compile_", [compile_re2, compile_python], ids=["re2", "fallback"])
def test_both_engines_full_match_like_envoy_and_reject_perl_only_syntax(compile_):
    # Envoy safe_regex is a full match (RE2::FullMatch); no look-around or back-references in RE2.
    assert compile_("/api/v[0-9]+").fullmatch("/api/v12")
    assert not compile_("/api/v[0-9]+").fullmatch("/api/v12/users")
    assert compile_("v[0-9]+").search("/api/v12/users")
    for perl_only in ["(?=a)", "(a)\\1", "a++", "(?x)a"]:
        with pytest.raises(RegexError):
            compile_(perl_only)


def test_error_text_is_re2s_on_both_engines():
    # A lazy counted repetition keeps its "?" in the message (found by the differential test).
    for pattern in ["a(b", "a)b", "*a", "a{1001}", "[z-a]", "(?P<a-b>x)", "\\8", "[a", "a{3,1}?", "(a{100}){100}?"]:
        with pytest.raises(RegexError) as by_re2:
            compile_re2(pattern)
        with pytest.raises(RegexError) as by_fallback:
            compile_python(pattern)
        assert str(by_fallback.value) == str(by_re2.value), pattern


def test_case_folding_and_perl_classes_follow_re2_not_python():
    # RE2's \s has no \v and \d, \w, \b are ASCII-only; (?i) folds K with the Kelvin sign (U+212A).
    for pattern, text, expected in [("\\s", "\v", False), ("\\d", "\u0663", False), ("\\w", "\u00e9", False), ("(?i)k", "\u212a", True), ("(?i)[^k]", "\u212a", False), ("a$", "a\n", False)]:
        assert compile_re2(pattern).fullmatch(text) is expected, pattern
        assert compile_python(pattern).fullmatch(text) is expected, pattern


def test_divergence_any_byte_is_one_rune_in_the_fallback():
    # \C matches one byte in RE2 (UTF-8); Python strings have no bytes, so it matches one rune.
    assert not compile_re2("\\C").fullmatch("\u00e9")
    assert compile_python("\\C").fullmatch("\u00e9")


def test_divergence_unicode_scripts_are_refused_by_the_fallback():
    # RE2 knows \p{Greek}; Python's unicodedata has no script property.
    assert compile_re2("\\p{Greek}").fullmatch("\u03b1")
    with pytest.raises(UnsupportedRegex):
        compile_python("\\p{Greek}")


def test_divergence_program_size_limit_is_not_modelled():
    # RE2 refuses programs over its memory budget (8 MiB by default); the fallback compiles them.
    with pytest.raises(RegexError, match="pattern too large"):
        compile_re2("\\pL{1000}")
    assert compile_python("\\pL{1000}").search("x" * 1000)


def test_divergence_very_deep_nesting_exhausts_pythons_recursion():
    deep = "(" * 1001 + ")" * 1001
    assert compile_re2(deep).fullmatch("")
    with pytest.raises(RegexError, match="not supported by this regex engine"):
        compile_python(deep)


def test_rewrite_substitution_agrees_on_group_references():
    # uriRegexRewrite: Envoy substitutes \1-style groups (route_components.proto RegexMatchAndSubstitute).
    for pattern, template, path in [("^/v1(/.*)$", "/v2\\1", "/v1/users"), ("/(\\w+)/(\\w+)", "/\\2/\\1", "/a/b"), ("a*", "-", "baac")]:
        assert compile_python(pattern).sub(template, path) == compile_re2(pattern).sub(template, path)
