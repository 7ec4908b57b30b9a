"""Go's formatting verbs for the values Istio quotes in its messages. A leaf module in config/, so
that validation, the analyzers and the authorization evaluator (through gonetip) share it."""

from __future__ import annotations

_GO_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def go_quote(text: str) -> str:
    """Go's ``%q`` (strconv.Quote): double quotes, backslash escapes for quotes and non-printable runes.

    Python's isprintable and Go's unicode.IsPrint agree: letters, marks, numbers, punctuation,
    symbols and the ASCII space.
    """
    out = ['"']
    for char in text:
        code = ord(char)
        if char in ('"', "\\"):
            out.append("\\" + char)
        elif char.isprintable():
            out.append(char)
        elif char in _GO_ESCAPES:
            out.append(_GO_ESCAPES[char])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)
