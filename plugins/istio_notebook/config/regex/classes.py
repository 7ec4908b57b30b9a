"""RE2's character class syntax: [...] brackets, \\d-style Perl classes, \\p{...} Unicode groups.

Each parser reads at ``pos`` in the pattern and returns the resolved ranges and the position
after it; errors carry RE2's wording (re2/parse.cc: ParseCharClass, ParseUnicodeGroup,
MaybeParsePerlCharClass, MaybeParseCCName, ParseCCRange).
"""

from __future__ import annotations

from istio_notebook.config.regex import charsets
from istio_notebook.config.regex.charsets import Ranges
from istio_notebook.config.regex.errors import RegexSyntaxError, UnsupportedRegex
from istio_notebook.config.regex.escapes import parse_escape


def _group(ranges: Ranges, negated: bool, folding: bool) -> Ranges:
    """AddUGroup: fold the positive group, then take the complement for a negated one."""
    if folding:
        ranges = charsets.fold(ranges)
    return charsets.complement(ranges) if negated else ranges


def perl_class(pattern: str, pos: int, folding: bool) -> tuple[Ranges, int] | None:
    """\\d \\D \\s \\S \\w \\W at ``pos`` (which holds the backslash), or None."""
    letter = pattern[pos + 1 : pos + 2]
    if letter.lower() not in charsets.PERL or not letter:
        return None
    return _group(charsets.PERL[letter.lower()], letter.isupper(), folding), pos + 2


def unicode_group(pattern: str, pos: int, folding: bool) -> tuple[Ranges, int] | None:
    """\\pN, \\p{Name}, \\p{^Name}, \\PN ... at ``pos``, or None when it is not one."""
    letter = pattern[pos + 1 : pos + 2]
    if letter not in ("p", "P"):
        return None
    negated = letter == "P"
    if pos + 2 >= len(pattern):
        raise RegexSyntaxError("invalid character class range", pattern[pos:])
    if pattern[pos + 2] != "{":
        name, end = pattern[pos + 2], pos + 3
    else:
        close = pattern.find("}", pos + 3)
        if close < 0:
            raise RegexSyntaxError("invalid character class range", pattern[pos:])
        name, end = pattern[pos + 3 : close], close + 1
    if name.startswith("^"):
        negated, name = not negated, name[1:]
    if name == "Any":
        ranges: Ranges = ((0, charsets.MAX_RUNE),)
    elif name in charsets.CATEGORIES:
        ranges = charsets.category(name)
    elif name in charsets.SCRIPTS:
        # RE2 also knows Unicode scripts (\p{Greek}); Python's unicodedata has no script data.
        raise UnsupportedRegex(f"Unicode script {pattern[pos:end]} is not available in this regex engine")
    else:
        raise RegexSyntaxError("invalid character class range", pattern[pos:end])
    return _group(ranges, negated, folding), end


def _posix_class(pattern: str, pos: int, folding: bool) -> tuple[Ranges, int] | None:
    """[:alpha:] at ``pos``; RE2 looks for the closing ":]" anywhere further on."""
    close = pattern.find(":]", pos + 2)
    if close < 0:
        return None
    text = pattern[pos : close + 2]
    name = text[2:-2]
    negated = name.startswith("^")
    ranges = charsets.POSIX.get(name[1:] if negated else name)
    if ranges is None:
        raise RegexSyntaxError("invalid character class range", text)
    return _group(ranges, negated, folding), close + 2


def _class_char(pattern: str, pos: int, whole: str) -> tuple[int, int]:
    if pos >= len(pattern):
        raise RegexSyntaxError("missing ]", whole)
    if pattern[pos] == "\\":
        return parse_escape(pattern, pos)
    return ord(pattern[pos]), pos + 1


def _range(pattern: str, pos: int, whole: str) -> tuple[Ranges, int]:
    lo, end = _class_char(pattern, pos, whole)
    if end + 1 < len(pattern) and pattern[end] == "-" and pattern[end + 1] != "]":
        hi, after = _class_char(pattern, end + 1, whole)
        if hi < lo:
            raise RegexSyntaxError("invalid character class range", pattern[pos:after])
        return ((lo, hi),), after
    return ((lo, lo),), end


def bracket_class(pattern: str, pos: int, folding: bool) -> tuple[Ranges, int]:
    """A [...] class starting at ``pos``; returns its final (folded, negated) ranges."""
    whole = pattern[pos:]
    i = pos + 1
    negated = i < len(pattern) and pattern[i] == "^"
    if negated:
        i += 1
    parts: list[tuple[int, int]] = []
    first = True
    while i < len(pattern) and (pattern[i] != "]" or first):
        first = False
        found = None
        if pattern.startswith("[:", i):
            found = _posix_class(pattern, i, folding)
        if found is None and pattern[i] == "\\" and i + 2 < len(pattern):
            found = unicode_group(pattern, i, folding)
        if found is None and pattern[i] == "\\":
            found = perl_class(pattern, i, folding)
        if found is None:
            ranges, i = _range(pattern, i, whole)
            parts += charsets.fold(ranges) if folding else ranges
            continue
        ranges, i = found
        parts += ranges
    if i >= len(pattern):
        raise RegexSyntaxError("missing ]", whole)
    result = charsets.normalize(parts)
    return (charsets.complement(result) if negated else result), i + 1
