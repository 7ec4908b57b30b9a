"""The Go parsers whose error texts Istio passes on (IST0125's problem, validation messages).

Each expectation is Go's own text for that input: net/netip ParseAddr/ParsePrefix (Go 1.22+,
src/net/netip/netip.go), strconv ParseUint/ParseBool (src/strconv/atoi.go, atob.go), and
k8s.io/apimachinery pkg/api/resource/quantity.go ParseQuantity. Where Python's own parsers
accept what Go refuses (leading zeros, netmasks, zones), the case says so.
"""

from __future__ import annotations

import pytest

from istio_notebook.analysis.validation.gostrconv import go_trim_space, parse_bool_error, parse_uint_error
from istio_notebook.analysis.validation.kubequantity import FORMAT_WRONG, SUFFIX, quantity_error
from istio_notebook.config.gonetip import parse_addr_error, parse_prefix_error


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("10.0.0.1", None),
        ("::", None),
        ("::ffff:1.2.3.4", None),
        ("fe80::1%eth0", None),
        ("999", 'ParseAddr("999"): unable to parse IP'),
        ("%eth0", 'ParseAddr("%eth0"): missing IPv6 address'),
        ("fe80::1%", 'ParseAddr("fe80::1%"): zone must be a non-empty string'),
        ("1.2.3", 'ParseAddr("1.2.3"): IPv4 address too short'),
        ("1.2.3.4.5", 'ParseAddr("1.2.3.4.5"): IPv4 address too long'),
        ("10.0.0.256", 'ParseAddr("10.0.0.256"): IPv4 field has value >255'),
        # Python's ipaddress also refuses this one since 3.9.5; Go always did.
        ("192.168.1.01", 'ParseAddr("192.168.1.01"): IPv4 field has octet with leading zero'),
        ("1.2.3.4.", 'ParseAddr("1.2.3.4."): IPv4 field must have at least one digit (at ".")'),
        ("0x7f.0.0.1", 'ParseAddr("0x7f.0.0.1"): unexpected character (at "x7f.0.0.1")'),
        ("1::2::3", 'ParseAddr("1::2::3"): multiple :: in address (at ":3")'),
        ("12345::1", 'ParseAddr("12345::1"): each group must have 4 or less digits (at "12345::1")'),
        ("1:2:3:4:5:6:7:8:9", 'ParseAddr("1:2:3:4:5:6:7:8:9"): trailing garbage after address (at "9")'),
        ("1:2:3", 'ParseAddr("1:2:3"): address string too short'),
        ("1:2:3:4:5:6:7:8::", 'ParseAddr("1:2:3:4:5:6:7:8::"): the :: must expand to at least one field of zeros'),
    ],
)
def test_parse_addr_as_go_netip(text, error):
    assert parse_addr_error(text) == error


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("10.0.0.0/8", None),
        ("10.0.0.1/8", None),  # host bits may be set (Python's strict ip_network refuses it)
        ("::/0", None),
        ("10.0.0.1", 'netip.ParsePrefix("10.0.0.1"): no \'/\''),
        # Python's ip_network takes a netmask after the slash; Go does not.
        ("10.0.0.0/255.0.0.0", 'netip.ParsePrefix("10.0.0.0/255.0.0.0"): bad bits after slash: "255.0.0.0"'),
        ("10.0.0.0/08", 'netip.ParsePrefix("10.0.0.0/08"): bad bits after slash: "08"'),
        ("10.0.0.0/+8", 'netip.ParsePrefix("10.0.0.0/+8"): bad bits after slash: "+8"'),
        ("10.0.0.0/", 'netip.ParsePrefix("10.0.0.0/"): bad bits after slash: ""'),
        ("10.0.0.0/33", 'netip.ParsePrefix("10.0.0.0/33"): prefix length out of range'),
        ("fe80::1%eth0/64", 'netip.ParsePrefix("fe80::1%eth0/64"): IPv6 zones cannot be present in a prefix'),
        ("1.2.3/24", 'netip.ParsePrefix("1.2.3/24"): ParseAddr("1.2.3"): IPv4 address too short'),
    ],
)
def test_parse_prefix_as_go_netip(text, error):
    assert parse_prefix_error(text) == error


@pytest.mark.parametrize(
    ("text", "bits", "error"),
    [
        ("65535", 16, None),
        ("007", 32, None),
        ("65536", 16, 'strconv.ParseUint: parsing "65536": value out of range'),
        ("-1", 32, 'strconv.ParseUint: parsing "-1": invalid syntax'),
        ("+1", 32, 'strconv.ParseUint: parsing "+1": invalid syntax'),
        ("", 32, 'strconv.ParseUint: parsing "": invalid syntax'),
        ("1_000", 32, 'strconv.ParseUint: parsing "1_000": invalid syntax'),  # "_" only with base 0
        # Go stops at the first fault: the range is exceeded before the letter is read.
        ("99999x", 16, 'strconv.ParseUint: parsing "99999x": value out of range'),
    ],
)
def test_parse_uint_as_go_strconv(text, bits, error):
    assert parse_uint_error(text, bits) == error


@pytest.mark.parametrize("text", ["1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"])
def test_parse_bool_takes_go_spellings(text):
    assert parse_bool_error(text) is None


@pytest.mark.parametrize("text", ["yes", "on", "tRUE", ""])
def test_parse_bool_refuses_other_spellings(text):
    assert parse_bool_error(text).startswith("strconv.ParseBool: parsing ")


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("100m", None),
        ("1.5Gi", None),
        ("2e3", None),
        ("1E", None),  # E is exa, not an exponent
        ("1.", None),  # parseQuantityString: "we currently allow 1.G"
        ("", FORMAT_WRONG),
        ("100 m", FORMAT_WRONG),
        ("1.2.3", FORMAT_WRONG),
        ("1Q", FORMAT_WRONG),
        ("1mm", SUFFIX),
        ("1e", SUFFIX),
        ("1ki", SUFFIX),  # binary suffixes are Ki, Mi, ...: "ki" scans but is no suffix
        ("1KI", FORMAT_WRONG),  # "I" is not a suffix letter
    ],
)
def test_quantity_as_apimachinery(text, error):
    assert quantity_error(text) == error


def test_trim_space_as_go_strings():
    # unicode.IsSpace takes NBSP and the ideographic space, not the separator U+001F that
    # Python's str.strip removes.
    assert go_trim_space("\u00a0 80\u3000") == "80"
    assert go_trim_space("\x1f80") == "\x1f80"
