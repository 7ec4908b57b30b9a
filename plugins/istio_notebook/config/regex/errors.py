"""The errors the regex backends raise; ``str()`` is RE2's wording ("missing ): a(b")."""

from __future__ import annotations


class RegexError(ValueError):
    """A pattern that the selected backend does not compile."""


class RegexSyntaxError(RegexError):
    """Not RE2 syntax: ``code`` is RE2's error text, ``arg`` the offending part of the pattern."""

    def __init__(self, code: str, arg: str) -> None:
        super().__init__(f"{code}: {arg}" if arg else code)
        self.code = code
        self.arg = arg


class UnsupportedRegex(RegexError):
    """Valid RE2, but outside what the fallback engine implements (documented divergences)."""
