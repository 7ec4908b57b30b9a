"""A string an Istio regex (RE2, full match) accepts: what a probe sends when only a regex says what passes.

The RE2 pattern goes through the RE2-syntax translator (:mod:`.translate`) to Python ``re`` syntax,
whose parse tree (``re._parser``) is walked once: literals are kept, a class gives its first member
(a negated one the first printable ASCII character it leaves out), a repeat is taken as often as
it must be and at least once (``.*`` between two literals gives one character, not none), an
alternation gives its first branch, anchors and word boundaries give nothing. The walk can be wrong
about those, so the answer is always checked with the pattern's own engine (:func:`compile_regex`);
None when no sample passed, when the pattern does not compile, or when the walk meets a construct
it does not model.
"""

from __future__ import annotations

import re
import re._constants as sre
import re._parser as sre_parse
from string import ascii_letters, digits, punctuation

from istio_notebook.config.regex.errors import RegexError

_PRINTABLE = "a" + ascii_letters + digits + punctuation + " "
_CATEGORY = {
    sre.CATEGORY_DIGIT: lambda c: c.isdigit(),
    sre.CATEGORY_NOT_DIGIT: lambda c: not c.isdigit(),
    sre.CATEGORY_SPACE: lambda c: c.isspace(),
    sre.CATEGORY_NOT_SPACE: lambda c: not c.isspace(),
    sre.CATEGORY_WORD: lambda c: c.isalnum() or c == "_",
    sre.CATEGORY_NOT_WORD: lambda c: not (c.isalnum() or c == "_"),
}
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)


class _Unmodelled(Exception):
    """A construct the walk does not turn into text (a back-reference, a class of no printable ASCII)."""


def sample(pattern: str, preferred: tuple[str, ...] = ()) -> str | None:
    """The first of ``preferred`` the pattern fully matches, else one built from the pattern, else None."""
    from istio_notebook.config.regex import compile_regex
    from istio_notebook.config.regex.translate import translate

    try:
        compiled = compile_regex(pattern)
        built = _text(sre_parse.parse(translate(pattern)))
    except (RegexError, _Unmodelled, re.error, RecursionError):
        return next((p for p in preferred if _matches_safely(pattern, p)), None)
    return next((c for c in (*preferred, built) if compiled.fullmatch(c)), None)


def _matches_safely(pattern: str, text: str) -> bool:
    from istio_notebook.config.regex import compile_regex

    try:
        return compile_regex(pattern).fullmatch(text)
    except RegexError:
        return False


def _text(tree) -> str:
    return "".join(_node(op, av) for op, av in tree)


def _node(op, av) -> str:
    if op is sre.LITERAL:
        return chr(av)
    if op is sre.NOT_LITERAL:
        return next(c for c in _PRINTABLE if ord(c) != av)
    if op is sre.ANY:
        return "a"
    if op is sre.IN:
        return _member(av)
    if op in _REPEATS:
        low, high, sub = av
        times = max(low, 1) if high != 0 else 0
        return _text(sub) * times
    if op is sre.SUBPATTERN:
        return _text(av[-1])
    if op is sre.ATOMIC_GROUP:
        return _text(av)
    if op is sre.BRANCH:
        return _text(av[1][0])
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):  # anchors; the translator's word boundaries
        return ""
    raise _Unmodelled(str(op))


def _member(items) -> str:
    negated = bool(items) and items[0][0] is sre.NEGATE
    members = items[1:] if negated else items
    for candidate in _PRINTABLE:
        if _in(members, candidate) != negated:
            return candidate
    raise _Unmodelled("a class with no printable ASCII member")


def _in(members, char: str) -> bool:
    code = ord(char)
    for op, av in members:
        if op is sre.LITERAL and av == code:
            return True
        if op is sre.RANGE and av[0] <= code <= av[1]:
            return True
        if op is sre.CATEGORY and _CATEGORY.get(av, lambda c: False)(char):
            return True
    return False
