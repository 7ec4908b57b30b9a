"""Decimal numbers written as text (ports in AuthorizationPolicies, map keys, status codes).

``str.isdigit()`` is true for characters ``int()`` refuses (``"²"``) and for digits of other
scripts (``"٣"``), and ``int()`` refuses more than 4,300 digits: checking with ``isdigit`` and
then converting turns hostile input into an exception. Go's ``strconv.ParseUint(s, 10, ...)``,
which Istio uses for these fields, takes ASCII digits only; so does :func:`decimal_value`.
"""

from __future__ import annotations

# More digits than any uint64 has: such text is out of every range these fields allow.
MAX_DIGITS = 20


def decimal_value(text: object, max_digits: int = MAX_DIGITS) -> int | None:
    """The value of ``text`` when it is a string of ASCII digits (at most ``max_digits``), else None."""
    if isinstance(text, str) and 0 < len(text) <= max_digits and text.isascii() and text.isdigit():
        return int(text)
    return None
