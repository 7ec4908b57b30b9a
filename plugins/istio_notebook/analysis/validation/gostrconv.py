"""Go's ``strconv`` number and boolean parsers, for the messages Istio passes on from them, and
``strings.TrimSpace``, which Istio calls before them.

Each parser returns None when Go accepts the text, else the ``*strconv.NumError`` text
(``strconv.ParseUint: parsing "x": invalid syntax``), word for word.
"""

from __future__ import annotations

import unicodedata

from istio_notebook.config.goformat import go_quote

# strconv.ParseBool's whole vocabulary.
_BOOLS = frozenset({"1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"})


def _go_space(char: str) -> bool:
    """unicode.IsSpace: ASCII whitespace, NEL, NBSP and the Z categories; unlike Python's
    str.isspace, not the separators U+001C..U+001F."""
    return char in "\t\n\v\f\r \x85\xa0" or unicodedata.category(char) in ("Zs", "Zl", "Zp")


def go_trim_space(text: str) -> str:
    """strings.TrimSpace."""
    start, end = 0, len(text)
    while start < end and _go_space(text[start]):
        start += 1
    while end > start and _go_space(text[end - 1]):
        end -= 1
    return text[start:end]


def _num_error(func: str, text: str, why: str) -> str:
    return f"strconv.{func}: parsing {go_quote(text)}: {why}"


def parse_uint_error(text: str, bit_size: int) -> str | None:
    """``strconv.ParseUint(text, 10, bit_size)``: ASCII digits only (no sign, no ``_``).

    Go reads left to right and stops at the first fault: ``99999x`` with 16 bits is out of
    range before the ``x`` is seen.
    """
    if not text:
        return _num_error("ParseUint", text, "invalid syntax")
    limit = (1 << bit_size) - 1
    value = 0
    for char in text:
        if not ("0" <= char <= "9"):
            return _num_error("ParseUint", text, "invalid syntax")
        value = value * 10 + ord(char) - ord("0")
        if value > limit:
            return _num_error("ParseUint", text, "value out of range")
    return None


def parse_bool_error(text: str) -> str | None:
    """``strconv.ParseBool(text)``."""
    return None if text in _BOOLS else _num_error("ParseBool", text, "invalid syntax")
