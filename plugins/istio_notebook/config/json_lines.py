"""Compact JSON, one object per line: the batch answers of `route` and `authz` (cli/batch.py) and
the line a RouteOutcome writes of itself (routing/outcome.py). One home for the encoder settings
and for the one value UTF-8 cannot carry."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

# json.dumps(value, ensure_ascii=False, separators=(",", ":")) builds this encoder on every call.
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def encoded(value: Any) -> str:
    """``value`` as compact JSON, non-ASCII characters as they are (not yet checked: see :func:`writable`)."""
    return _COMPACT.encode(value)


def writable(text: str) -> bool:
    """Whether UTF-8 can carry ``text``: a lone surrogate (a request line's ``\\ud800`` echoed in a
    trace) cannot, and such an answer is written as escaped ASCII instead (:func:`escaped`)."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def escaped(value: Any) -> str:
    """``value`` as compact JSON in ASCII, every other character escaped."""
    return json.dumps(value, separators=(",", ":"))


# Strings written again and again (a table's trace lines): their JSON, made once ("" for a string
# UTF-8 cannot carry: no JSON string is empty). Bounded, so a batch of distinct request-dependent
# lines does not grow it without end; what came first stays.
_STRINGS: dict[str, str] = {}
_STRINGS_LIMIT = 20_000


def strings_json(texts: Sequence[str]) -> list[str] | None:
    """``encoded(t)`` of each of ``texts``, or None when UTF-8 cannot carry one (:func:`writable`)."""
    found = list(map(_STRINGS.get, texts))
    if None in found:
        found = [known if known is not None else _string_json(text) for known, text in zip(found, texts)]
    return None if "" in found else found


def _string_json(text: str) -> str:
    out = encoded(text)
    if not writable(out):
        out = ""
    if len(_STRINGS) < _STRINGS_LIMIT:
        _STRINGS[text] = out
    return out


def compact(value: Any) -> str:
    """``value`` as one line of compact JSON that UTF-8 can carry."""
    text = encoded(value)
    return text if writable(text) else escaped(value)
