"""RE2's single-rune escapes (re2/parse.cc ParseEscape): octal, hex, C escapes, punctuation."""

from __future__ import annotations

from istio_notebook.config.regex.charsets import MAX_RUNE
from istio_notebook.config.regex.errors import RegexSyntaxError

_C_ESCAPES = {"a": 0x07, "f": 0x0C, "n": 0x0A, "r": 0x0D, "t": 0x09, "v": 0x0B}
_OCTAL = "01234567"
_HEX = "0123456789abcdefABCDEF"


def parse_escape(pattern: str, pos: int) -> tuple[int, int]:
    """The rune that the escape at ``pos`` (a backslash) stands for, and the position after it."""
    if pos + 1 >= len(pattern):
        raise RegexSyntaxError("trailing \\", "")
    c = pattern[pos + 1]
    i = pos + 2
    if c in "1234567" and (i >= len(pattern) or pattern[i] not in _OCTAL):
        raise RegexSyntaxError("invalid escape sequence", pattern[pos:i])  # a back-reference
    if c in _OCTAL:
        code = int(c)
        for _ in range(2):
            if i < len(pattern) and pattern[i] in _OCTAL:
                code, i = code * 8 + int(pattern[i]), i + 1
        return code, i
    if c == "x":
        return _hex_escape(pattern, pos)
    if c in _C_ESCAPES:
        return _C_ESCAPES[c], i
    if ord(c) < 0x80 and not c.isalnum():
        return ord(c), i
    raise RegexSyntaxError("invalid escape sequence", pattern[pos:i])


def _hex_escape(pattern: str, pos: int) -> tuple[int, int]:
    i = pos + 2
    if i >= len(pattern):
        raise RegexSyntaxError("invalid escape sequence", pattern[pos:i])
    if pattern[i] != "{":
        digits = pattern[i : i + 2]
        if len(digits) < 2 or any(d not in _HEX for d in digits):
            raise RegexSyntaxError("invalid escape sequence", pattern[pos : i + len(digits)])
        return int(digits, 16), i + 2
    i += 1
    code = 0
    start = i
    while i < len(pattern) and pattern[i] in _HEX:
        code = code * 16 + int(pattern[i], 16)
        i += 1
        if code > MAX_RUNE:
            raise RegexSyntaxError("invalid escape sequence", pattern[pos:i])
    if i >= len(pattern) or pattern[i] != "}" or i == start:
        raise RegexSyntaxError("invalid escape sequence", pattern[pos : i + 1])
    return code, i + 1
