"""Text from input made safe to print on one terminal line.

Resource names, file names, header values and messages quoting them come from the input. Printed
raw, a ``metadata.name`` holding a newline forges a line (``Error [IST0000] ...`` or a GitHub
``::error`` command), an ANSI escape recolours or clears the terminal, and a bidi control
(U+202E RIGHT-TO-LEFT OVERRIDE, "Trojan Source", CVE-2021-42574) shows text in another order than
it is. :func:`printable` writes every such character as a visible escape: ``\\n``, ``\\x1b``,
``\\u202e``. Other text, Japanese included, is left as it is.
"""

from __future__ import annotations

import re

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# C0 and C1 controls, DEL; bidi embeddings, overrides, isolates and marks; line and paragraph
# separators; zero-width joiners and the byte order mark (invisible, reorder or split lines).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with control, bidi and invisible characters written as escapes."""
    return _UNSAFE.sub(_escape, text)
