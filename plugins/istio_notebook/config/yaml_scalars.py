"""Plain values of YAML scalars, as Kubernetes reads them, in linear time.

PyYAML resolves scalars with YAML 1.1's rules; Kubernetes reads YAML with go-yaml v2 (through
sigs.k8s.io/yaml) and then converts it to JSON. Where the two differ in ways that matter for
hostile input, we follow Kubernetes:

- Base-60 numbers (``190:20:30``, ``1:30.5``): go-yaml does not support them and keeps the text
  as a string (yaml.v2 encode.go, isBase60Float: "unsupported in YAML 1.2 and by this
  package"). PyYAML computes them with a loop whose cost grows with the square of the length
  (1.2 MB: 29 s) and overflows for floats; we keep the text.
- Integers too large for a float64: go-yaml's resolve tries ParseInt, ParseUint, then ParseFloat
  and keeps the text when all fail. Python also refuses to convert more than 4,300 digits
  (sys.get_int_max_str_digits). Such integers stay text, so a schema that wants a number
  reports "expected an integer" at the line (IST0106) instead of an internal error.
- Floats that overflow (``1e400``): ParseFloat fails, the text is kept, as above.
- ``.nan`` / ``.inf``: go-yaml reads them as floats, but JSON cannot hold them, so the YAML to
  JSON conversion fails and Kubernetes refuses the document; :class:`NotFinite` says so.
"""

from __future__ import annotations

import math
from typing import Any

import yaml

NULL = "tag:yaml.org,2002:null"
BOOL = "tag:yaml.org,2002:bool"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
# Python's default limit for int <-> str conversions of base 10 (sys.get_int_max_str_digits()).
INT_DIGITS_LIMIT = 4300
_constructor = yaml.constructor.SafeConstructor()
_NON_FINITE = {".inf", "+.inf", "-.inf", ".nan"}
_BASES = (("0b", 2), ("0x", 16))


class NotFinite(ValueError):
    """``.nan`` or ``.inf``: a float that JSON, and so the Kubernetes API, cannot hold."""


class NotANumber(ValueError):
    """An explicit ``!!int`` / ``!!float`` on text that is not one."""


def scalar_value(tag: str, node: yaml.ScalarNode) -> Any:
    """The value of a core-schema scalar node (null, bool, int, float)."""
    if tag == INT:
        return _integer(node.value)
    if tag == FLOAT:
        return _float(node.value)
    return _constructor.yaml_constructors[tag](_constructor, node)


def _integer(text: str) -> int | str:
    plain = text.replace("_", "")
    if ":" in plain:
        return text  # base 60
    body = plain.lstrip("+-")
    sign = -1 if plain.startswith("-") else 1
    if len(body) > INT_DIGITS_LIMIT:
        return text
    base = 10
    for prefix, prefix_base in _BASES:
        if body.startswith(prefix):
            body, base = body[2:], prefix_base
            break
    else:
        if len(body) > 1 and body.startswith("0"):
            base = 8  # YAML 1.1 octal, as PyYAML and go-yaml (ParseInt base 0) read it
    try:
        value = sign * int(body, base)
    except ValueError:
        raise NotANumber(text) from None
    try:
        float(value)
    except OverflowError:
        return text
    return value


def _float(text: str) -> float | str:
    plain = text.replace("_", "")
    if ":" in plain:
        return text  # base 60
    if plain.lower() in _NON_FINITE:
        raise NotFinite(text)
    try:
        value = float(plain)
    except ValueError:
        raise NotANumber(text) from None
    return value if math.isfinite(value) else text
