"""Istio's regexes (RE2 syntax, Envoy's full match): the one place that compiles them.

The backend is chosen at import time: google-re2 when it imports (CPython, the CLI, CI), else
Python ``re`` behind an RE2-syntax translator (Pyodide in the reader's browser, where google-re2
has no build). ``ISTIO_NOTEBOOK_REGEX=python`` forces the fallback (tests of the browser engine).
The differences between the two are pinned by tests/config/test_regex_differential.py and
listed in docs/contributing/syntax.md.
"""

from __future__ import annotations

import os
from functools import lru_cache

from istio_notebook.config.regex.backends import Regex, compile_python, compile_re2
from istio_notebook.config.regex.errors import RegexError

__all__ = ["BACKEND", "Regex", "RegexError", "compile_regex", "parse_error", "program_size", "quote_meta"]

# Go's regexp.QuoteMeta escapes exactly these (regexp/regexp.go specialBytes); istiod quotes literal
# parts of generated regexes with it (authz URI matchers, Gateway API CORS origins and prefix rewrites).
_GO_SPECIAL = frozenset("\\.+*?()|[]{}^$")


def quote_meta(text: str) -> str:
    return "".join("\\" + c if c in _GO_SPECIAL else c for c in text)


def _select():
    if os.environ.get("ISTIO_NOTEBOOK_REGEX") == "python":
        return "python", compile_python
    try:
        import re2  # noqa: F401
    except ImportError:
        return "python", compile_python
    return "re2", compile_re2


BACKEND, _compile = _select()


@lru_cache(maxsize=4096)
def compile_regex(pattern: str) -> Regex:
    """The compiled pattern; RegexError (RE2's message) when it does not compile."""
    return _compile(pattern)


def parse_error(pattern: str) -> str | None:
    """RE2's reason why ``pattern`` does not compile, or None."""
    try:
        compile_regex(pattern)
    except RegexError as problem:
        return str(problem)
    return None


def program_size(pattern: str) -> int | None:
    """The size of RE2's compiled program for ``pattern`` (what Envoy compares with
    ``re2.max_program_size.error_level``); None when it does not compile or google-re2 is absent."""
    if BACKEND != "re2":
        return None
    try:
        return int(compile_regex(pattern).compiled.programsize)
    except RegexError:
        return None
