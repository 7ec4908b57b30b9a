"""The two engines behind :mod:`istio_notebook.config.regex`: google-re2, and Python ``re`` fed
by the RE2-syntax translator (for Pyodide, where google-re2 has no build)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from istio_notebook.config.regex.errors import RegexError
from istio_notebook.config.regex.translate import translate


@dataclass(frozen=True)
class Regex:
    """A compiled pattern; the methods are what the engine needs (Envoy's full match, the API
    server's unanchored search, regex_rewrite's substitution)."""

    pattern: str
    compiled: Any

    def fullmatch(self, text: str) -> bool:
        return self.compiled.fullmatch(text) is not None

    def search(self, text: str) -> bool:
        return self.compiled.search(text) is not None

    def sub(self, replacement: str, text: str) -> str:
        return self.compiled.sub(replacement, text)


def compile_re2(pattern: str) -> Regex:
    import re2

    options = re2.Options()
    options.log_errors = False  # RE2 otherwise logs every parse error to stderr
    try:
        return Regex(pattern, re2.compile(pattern, options))
    except re2.error as problem:
        reason = problem.args[0] if problem.args else "invalid regexp"
        raise RegexError(reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)) from None


def compile_python(pattern: str) -> Regex:
    translated = translate(pattern)
    try:
        return Regex(pattern, re.compile(translated))
    except (re.error, OverflowError, RecursionError) as problem:  # the translation is meant to be valid
        raise RegexError(f"pattern not supported by this regex engine: {problem}") from None
