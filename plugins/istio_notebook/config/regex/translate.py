"""Translate an RE2 pattern into a Python ``re`` pattern that matches the same strings.

The parser follows RE2's own (re2/parse.cc, Regexp::Parse with RE2's default "Perl-like" flags):
it accepts exactly RE2's syntax and raises :class:`RegexSyntaxError` with RE2's wording
elsewhere. The output never relies on Python's flags: every class is resolved to exact code
point ranges (folded here under ``(?i)``), ``^``/``$``/``.``/``\\b`` are spelled out for the
flags in force, and ``(?U)`` swaps the greediness of each quantifier. Why and where the result
still differs from RE2 is listed in docs/contributing/syntax.md (正規表現).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace

from istio_notebook.config.regex import charsets, classes
from istio_notebook.config.regex.charsets import Ranges
from istio_notebook.config.regex.errors import RegexSyntaxError
from istio_notebook.config.regex.escapes import parse_escape

MAX_REPEAT = 1000  # RE2's maximum_repeat_count
_WORD = "[0-9A-Za-z_]"
_BOUNDARY = f"(?:(?<={_WORD})(?!{_WORD})|(?<!{_WORD})(?={_WORD}))"
_NOT_BOUNDARY = f"(?:(?<={_WORD})(?={_WORD})|(?<!{_WORD})(?!{_WORD}))"
_ANY = "[\\x00-\\U0010ffff]"
_REPEAT = re.compile(r"\{(0|[1-9][0-9]{0,8})(,(0|[1-9][0-9]{0,8})?)?\}")
_NAME_CATEGORIES = ("Lu", "Ll", "Lt", "Lm", "Lo", "Nl", "Mn", "Mc", "Nd", "Pc")


@dataclass(frozen=True)
class Flags:
    fold: bool = False  # i
    multi_line: bool = False  # m
    dot_nl: bool = False  # s
    ungreedy: bool = False  # U


@dataclass
class _Group:
    """One open parenthesis: its output so far and what a following quantifier applies to."""

    outer: Flags  # restored at ")"
    opening: str
    pieces: list[str] = field(default_factory=list)
    last: int | None = None  # index in pieces where the last atom starts
    last_depth: int = 1  # product of the counted repeats nested in that atom
    depth: int = 1  # the same, over the whole group


def _rune(code: int) -> str:
    return re.escape(chr(code))


def emit_ranges(ranges: Ranges) -> str:
    """An exact class; a set that reaches U+10FFFF is written as the negation of the rest,
    which Python compiles far faster (no charmap over the whole code space)."""
    if not ranges:
        return "(?!)"
    negated = ranges[-1][1] == charsets.MAX_RUNE
    if negated:
        ranges = charsets.complement(ranges)
        if not ranges:
            return _ANY
    body = "".join(_rune(lo) if lo == hi else f"{_rune(lo)}-{_rune(hi)}" for lo, hi in ranges)
    return f"[{'^' if negated else ''}{body}]"


def _literal(code: int, flags: Flags) -> str:
    if flags.fold:
        folded = charsets.fold(((code, code),))
        if folded != ((code, code),):
            return emit_ranges(folded)
    return re.escape(chr(code))


def valid_capture_name(name: str) -> bool:
    return bool(name) and all(unicodedata.category(c) in _NAME_CATEGORIES for c in name)


class _Parser:
    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.pos = 0
        self.flags = Flags()
        self.stack = [_Group(Flags(), "")]
        self.last_repeat: int | None = None  # start of the quantifier just read, if any

    @property
    def top(self) -> _Group:
        return self.stack[-1]

    def atom(self, text: str, depth: int = 1) -> None:
        self.top.last = len(self.top.pieces)
        self.top.last_depth = depth
        self.top.depth = max(self.top.depth, depth)
        self.top.pieces.append(text)

    def run(self) -> str:
        while self.pos < len(self.pattern):
            start = self.pos
            repeat_before = self.last_repeat
            self.last_repeat = None
            self.step(start, repeat_before)
        if len(self.stack) > 1:
            raise RegexSyntaxError("missing )", self.pattern)
        return "".join(self.top.pieces)

    def step(self, start: int, repeat_before: int | None) -> None:
        p, c = self.pattern, self.pattern[self.pos]
        if c == "(":
            self.open_group()
        elif c == ")":
            self.close_group()
        elif c == "|":
            self.top.pieces.append("|")
            self.top.last = None
            self.pos += 1
        elif c in "*+?":
            end = self.pos + 1 + (p[self.pos + 1 : self.pos + 2] == "?")
            self.repeat(start, end, repeat_before, {"*": (0, -1), "+": (1, -1), "?": (0, 1)}[c])
        elif c == "{" and (m := _REPEAT.match(p, self.pos)):
            lo = int(m.group(1))
            hi = lo if m.group(2) is None else (int(m.group(3)) if m.group(3) else -1)
            end = m.end() + (p[m.end() : m.end() + 1] == "?")
            self.repeat(start, end, repeat_before, (lo, hi))
        elif c == "[":
            ranges, self.pos = classes.bracket_class(p, self.pos, self.flags.fold)
            self.atom(emit_ranges(ranges))
        elif c == "\\":
            self.escape()
        else:
            self.atom(self.simple(c))
            self.pos += 1

    def simple(self, c: str) -> str:
        if c == "^":
            return "(?m:^)" if self.flags.multi_line else "\\A"
        if c == "$":
            return "(?m:$)" if self.flags.multi_line else "\\Z"
        if c == ".":
            return _ANY if self.flags.dot_nl else "[^\\n]"
        return _literal(ord(c), self.flags)

    def repeat(self, start: int, end: int, repeat_before: int | None, bounds: tuple[int, int]) -> None:
        op = self.pattern[start:end]
        lo, hi = bounds
        if repeat_before is not None:
            raise RegexSyntaxError("bad repetition operator", self.pattern[repeat_before:end])
        counted = op.startswith("{")
        if counted and (lo > MAX_REPEAT or hi > MAX_REPEAT or (hi != -1 and hi < lo)):
            raise RegexSyntaxError("invalid repetition size", op)  # RE2 quotes the lazy "?" too
        group = self.top
        if group.last is None:
            raise RegexSyntaxError("no argument for repetition operator", op)
        depth = group.last_depth
        if counted and (lo >= 2 or hi >= 2):
            depth *= hi if hi > 0 else max(lo, 1)
            if depth > MAX_REPEAT:
                raise RegexSyntaxError("invalid repetition size", op)  # RE2 quotes the lazy "?" too
        nongreedy = op.endswith("?") if counted else len(op) == 2  # "??" is a lazy "?"
        lazy = nongreedy != self.flags.ungreedy
        quantifier = {(0, -1): "*", (1, -1): "+", (0, 1): "?"}.get(bounds) if not counted else None
        if quantifier is None:
            quantifier = f"{{{lo}}}" if lo == hi else f"{{{lo},{'' if hi == -1 else hi}}}"
        body = "".join(group.pieces[group.last :])
        del group.pieces[group.last :]
        self.atom(f"(?:{body}){quantifier}{'?' if lazy else ''}", depth)
        self.last_repeat = start
        self.pos = end

    def escape(self) -> None:
        p, i = self.pattern, self.pos
        nxt = p[i + 1 : i + 2]
        simple = {"b": _BOUNDARY, "B": _NOT_BOUNDARY, "A": "\\A", "z": "\\Z", "C": _ANY}
        if nxt in simple:
            self.atom(simple[nxt])
            self.pos += 2
        elif nxt == "Q":
            self.quoted(i + 2)
        elif found := (classes.unicode_group(p, i, self.flags.fold) or classes.perl_class(p, i, self.flags.fold)):
            ranges, self.pos = found
            self.atom(emit_ranges(ranges))
        else:
            code, self.pos = parse_escape(p, i)
            self.atom(_literal(code, self.flags))

    def quoted(self, i: int) -> None:
        """\\Q...\\E: every rune a literal of its own (a quantifier after it takes the last one)."""
        end = self.pattern.find("\\E", i)
        stop = len(self.pattern) if end < 0 else end
        for c in self.pattern[i:stop]:
            self.atom(_literal(ord(c), self.flags))
        self.pos = stop if end < 0 else end + 2

    def open_group(self) -> None:
        p, i = self.pattern, self.pos
        if p.startswith("(?", i):
            self.perl_group(i)
            return
        self.stack.append(_Group(self.flags, "("))
        self.pos += 1

    def perl_group(self, i: int) -> None:
        p = self.pattern
        rest = p[i:]
        if (len(rest) > 3 and rest[2] in "=!") or (len(rest) > 4 and rest[2] == "<" and rest[3] in "=!"):
            raise RegexSyntaxError("invalid perl operator", rest[: 4 if rest[2] == "<" else 3])
        if (len(rest) > 4 and rest[2:4] == "P<") or (len(rest) > 3 and rest[2] == "<"):
            begin = 4 if rest[2] == "P" else 3
            end = rest.find(">", 2)
            if end < 0:
                raise RegexSyntaxError("invalid named capture group", rest)
            if not valid_capture_name(rest[begin:end]):
                raise RegexSyntaxError("invalid named capture group", rest[: end + 1])
            self.stack.append(_Group(self.flags, "("))
            self.pos = i + end + 1
            return
        self.flag_group(i)

    def flag_group(self, i: int) -> None:
        p, j = self.pattern, i + 2
        flags, negated, saw_flag = self.flags, False, False
        names = {"i": "fold", "m": "multi_line", "s": "dot_nl", "U": "ungreedy"}
        while True:
            if j >= len(p):
                raise RegexSyntaxError("invalid perl operator", p[i:j])
            c = p[j]
            j += 1
            if c in names:
                flags = replace(flags, **{names[c]: not negated})
                saw_flag = True
            elif c == "-" and not negated:
                negated, saw_flag = True, False
            elif c in ":)":
                break
            else:
                raise RegexSyntaxError("invalid perl operator", p[i:j])
        if negated and not saw_flag:
            raise RegexSyntaxError("invalid perl operator", p[i:j])
        if c == ":":
            self.stack.append(_Group(self.flags, "(?:"))
        self.flags = flags
        self.pos = j

    def close_group(self) -> None:
        if len(self.stack) == 1:
            raise RegexSyntaxError("unexpected )", self.pattern)
        group = self.stack.pop()
        self.flags = group.outer
        self.atom(f"{group.opening}{''.join(group.pieces)})", group.depth)
        self.pos += 1


def translate(pattern: str) -> str:
    """The Python ``re`` pattern equivalent to the RE2 ``pattern``; RegexSyntaxError if not RE2."""
    return _Parser(pattern).run()
