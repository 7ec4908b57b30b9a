"""Go's ``net/netip`` parsers, for the messages Istio passes on from them.

``netip.ParseAddr`` and ``netip.ParsePrefix`` (Go 1.22 and later, what Istio 1.30 builds with)
are stricter than Python's ``ipaddress``: no leading zeros in IPv4 octets, at most four hex
digits per IPv6 group, no netmask after the slash (``10.0.0.0/255.0.0.0``), no sign or leading
zero in the prefix length, no IPv6 zone in a prefix, and host bits may be set (``10.0.0.1/8``).
Each function returns None when Go accepts the text, else Go's error text, word for word.
"""

from __future__ import annotations

from istio_notebook.config.goformat import go_quote

_HEX = "0123456789abcdefABCDEF"
_INT64_MAX = 2**63 - 1


class _AddrError(Exception):
    def __init__(self, msg: str, at: str = "") -> None:
        super().__init__(msg)
        self.msg = msg
        self.at = at


def _ipv4_fields(s: str) -> None:
    """parseIPv4Fields: four decimal octets; the error's ``at`` is a part of ``s``."""
    val = pos = digits = 0
    for i, char in enumerate(s):
        if "0" <= char <= "9":
            if digits == 1 and val == 0:
                raise _AddrError("IPv4 field has octet with leading zero")
            val = val * 10 + ord(char) - ord("0")
            digits += 1
            if val > 255:
                raise _AddrError("IPv4 field has value >255")
        elif char == ".":
            if i == 0 or i == len(s) - 1 or s[i - 1] == ".":
                raise _AddrError("IPv4 field must have at least one digit", s[i:])
            if pos == 3:
                raise _AddrError("IPv4 address too long")
            pos += 1
            val = digits = 0
        else:
            raise _AddrError("unexpected character", s[i:])
    if pos < 3:
        raise _AddrError("IPv4 address too short")


def _hex_group(s: str) -> int:
    """The length of the hex group at the start of ``s`` (parseIPv6's inner loop)."""
    off = acc = 0
    while off < len(s) and s[off] in _HEX:
        acc = (acc << 4) + int(s[off], 16)
        if off > 3:
            raise _AddrError("each group must have 4 or less digits", s)
        if acc > 0xFFFF:
            raise _AddrError("IPv6 field has value >=2^16", s)
        off += 1
    if off == 0:
        raise _AddrError("each colon-separated field must have at least one digit", s)
    return off


def _ipv6(text: str) -> bool:
    """parseIPv6; returns whether the address has a zone."""
    s, percent, zone = text.partition("%")
    if percent and not zone:
        raise _AddrError("zone must be a non-empty string")
    ellipsis = -1
    if s.startswith("::"):
        ellipsis, s = 0, s[2:]
        if not s:
            return bool(zone)
    i = 0
    while i < 16:
        off = _hex_group(s)
        if off < len(s) and s[off] == ".":
            if ellipsis < 0 and i != 12:
                raise _AddrError("embedded IPv4 address must replace the final 2 fields of the address", s)
            if i + 4 > 16:
                raise _AddrError("too many hex fields to fit an embedded IPv4 at the end of the address", s)
            _ipv4_fields(s)
            s, i = "", i + 4
            break
        i += 2
        s = s[off:]
        if not s:
            break
        if s[0] != ":":
            raise _AddrError("unexpected character, want colon", s)
        if len(s) == 1:
            raise _AddrError("colon must be followed by more characters", s)
        s = s[1:]
        if s[0] == ":":
            if ellipsis >= 0:
                raise _AddrError("multiple :: in address", s)
            ellipsis, s = i, s[1:]
            if not s:
                break
    if s:
        raise _AddrError("trailing garbage after address", s)
    if i < 16 and ellipsis < 0:
        raise _AddrError("address string too short")
    if i >= 16 and ellipsis >= 0:
        raise _AddrError("the :: must expand to at least one field of zeros")
    return bool(zone)


def _parse_addr(s: str) -> tuple[int, bool]:
    """(bit length, has zone) of the address, or _AddrError."""
    for char in s:
        if char == ".":
            _ipv4_fields(s)
            return 32, False
        if char == ":":
            return 128, _ipv6(s)
        if char == "%":
            raise _AddrError("missing IPv6 address")
    raise _AddrError("unable to parse IP")


def _addr_message(s: str, err: _AddrError) -> str:
    at = f" (at {go_quote(err.at)})" if err.at else ""
    return f"ParseAddr({go_quote(s)}): {err.msg}{at}"


def parse_addr_error(s: str) -> str | None:
    """``netip.ParseAddr(s)``'s error text, or None."""
    try:
        _parse_addr(s)
    except _AddrError as err:
        return _addr_message(s, err)
    return None


def parse_prefix_error(s: str) -> str | None:
    """``netip.ParsePrefix(s)``'s error text, or None."""
    head = f"netip.ParsePrefix({go_quote(s)}): "
    slash = s.rfind("/")
    if slash < 0:
        return head + "no '/'"
    addr = s[:slash]
    try:
        max_bits, zoned = _parse_addr(addr)
    except _AddrError as err:
        return head + _addr_message(addr, err)
    if zoned:
        return head + "IPv6 zones cannot be present in a prefix"
    bits = s[slash + 1 :]
    # strconv.Atoi would take a sign and leading zeros; ParsePrefix refuses both, and Atoi
    # refuses what does not fit an int64.
    number = int(bits) if bits.isascii() and bits.isdigit() and len(bits) <= 19 else None
    if number is None or number > _INT64_MAX or (len(bits) > 1 and bits[0] == "0"):
        return head + "bad bits after slash: " + go_quote(bits)
    if number > max_bits:
        return head + "prefix length out of range"
    return None
