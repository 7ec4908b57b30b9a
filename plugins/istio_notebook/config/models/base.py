"""Building blocks of the typed models: the strict base class and protobuf-JSON scalar types.

Istio decodes its resources strictly (``istioctl validate`` and the webhook reject unknown
fields) and the CRD schemas type every scalar, so the models are strict too: a string field
does not take a number, a bool does not take ``"true"``, integers are range-checked for their
protobuf width. Durations are strings (``"1.5s"``, ``"3m"``: Istio accepts Go duration syntax).
"""

from __future__ import annotations

import keyword
import re
from fractions import Fraction
from functools import lru_cache
from typing import Annotated, Any, ClassVar

from annotated_types import Ge, Le
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Strict,
    StrictBool,
    model_validator,
)
from pydantic_core import PydanticCustomError

from istio_notebook.config.decimal import decimal_value

__all__ = [
    "Duration",
    "Float",
    "Int32",
    "Int64",
    "IntKey",
    "Message",
    "OneofMessage",
    "StrictBool",
    "Struct",
    "UInt32",
    "UInt64",
    "duration_nanos",
]

# Go's time.ParseDuration grammar: an optional sign, then number+unit pairs, or a bare "0".
# (The project's own fixed patterns use Python's re: fast, and never fed user regexes.)
_DURATION = re.compile(r"[-+]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ns|us|µs|μs|ms|s|m|h))+|[-+]?0")
_DURATION_PART = re.compile(r"([0-9]*\.?[0-9]*)(ns|us|µs|μs|ms|s|m|h)")
_UNIT_NANOS = {"ns": 1, "us": 10**3, "µs": 10**3, "μs": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}


# Istio reads google.protobuf.Duration with golang/protobuf's jsonpb, which calls Go's
# time.ParseDuration: the value must fit int64 nanoseconds (about 292 years), else
# `bad Duration: time: invalid duration "..."`.
GO_DURATION_MAX_NANOS = 2**63 - 1
# Envoy refuses a Duration of 9,223,372,036 seconds or more anywhere in its configuration
# ("Invalid duration: Duration out-of-range"); 9,223,372,035.999999999s is accepted (replayed on
# Envoy 1.40.0, envoy --mode validate, route timeout). Go's maximum lies just above it.
ENVOY_DURATION_MAX_SECONDS = 9_223_372_035
# A number part longer than this is out of every range whatever its unit: it is not converted
# exactly (Python refuses int() of more than 4,300 digits), only clamped to 10**this.
_MAX_EXACT_DIGITS = 40


@lru_cache(maxsize=4096)
def duration_nanos(text: str) -> int | None:
    """Nanoseconds in a Go/protobuf duration string, or None when it is not one.

    Exact, except that a number with more than 40 integer digits counts as 10**40 of its unit
    (far beyond any range) and fraction digits beyond the 40th are dropped.
    """
    if not _DURATION.fullmatch(text):
        return None
    sign = -1 if text.startswith("-") else 1
    body = text.lstrip("+-")
    if body == "0":
        return 0
    total = Fraction(0)
    for number, unit in _DURATION_PART.findall(body):
        whole, _, fraction = number.partition(".")
        whole = whole.lstrip("0")
        if len(whole) > _MAX_EXACT_DIGITS:
            whole, fraction = "1" + "0" * _MAX_EXACT_DIGITS, ""
        total += Fraction(f"{whole or 0}.{fraction[:_MAX_EXACT_DIGITS] or 0}") * _UNIT_NANOS[unit]
    return sign * int(total)


def duration_range_error(nanos: int) -> str | None:
    """Why a duration Istio or Envoy cannot hold is refused, or None."""
    if not -GO_DURATION_MAX_NANOS - 1 <= nanos <= GO_DURATION_MAX_NANOS:
        return "out of range: Istio reads durations with Go's time.ParseDuration, which holds at most 2562047h47m16.854775807s"
    if abs(nanos) // 10**9 > ENVOY_DURATION_MAX_SECONDS:
        return f"out of range: Envoy refuses durations of {ENVOY_DURATION_MAX_SECONDS + 1}s or more"
    return None


def _check_duration(value: str) -> str:
    nanos = duration_nanos(value)
    if nanos is None:
        raise PydanticCustomError(
            "duration", "invalid duration {value}: expected a number with a unit, e.g. 1.5s, 100ms, 3m", {"value": repr(value)}
        )
    problem = duration_range_error(nanos)
    if problem:
        raise PydanticCustomError("duration", "invalid duration {value}: {problem}", {"value": repr(value), "problem": problem})
    return value


def _integer_or_decimal_string(value: Any) -> Any:
    # Protobuf JSON writes 64-bit integers as strings; accept "123" as well as 123.
    if isinstance(value, str):
        number = decimal_value(value.removeprefix("-"))
        if number is not None:
            return -number if value.startswith("-") else number
    return value


Int32 = Annotated[int, Strict(), Ge(-(2**31)), Le(2**31 - 1)]
UInt32 = Annotated[int, Strict(), Ge(0), Le(2**32 - 1)]
Int64 = Annotated[int, BeforeValidator(_integer_or_decimal_string), Strict(), Ge(-(2**63)), Le(2**63 - 1)]
UInt64 = Annotated[int, BeforeValidator(_integer_or_decimal_string), Strict(), Ge(0), Le(2**64 - 1)]
IntKey = Annotated[int, BeforeValidator(_integer_or_decimal_string), Strict(), Ge(0), Le(2**32 - 1)]  # map<uint32, …> keys
Float = Annotated[float, Strict()]  # strict float still takes an int, never a bool or a string
Duration = Annotated[str, Strict(), AfterValidator(_check_duration)]
Struct = dict[str, Any]  # google.protobuf.Struct / Any: free-form


class Message(BaseModel):
    """A protobuf message in JSON form: every field optional unless REQUIRED, unknown fields refused."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, validate_default=False, revalidate_instances="never")


class OneofMessage(Message):
    """A message with ``oneof`` groups: protobuf JSON refuses two members of one group."""

    __oneofs__: ClassVar[tuple[tuple[str, ...], ...]] = ()

    @model_validator(mode="after")
    def _one_of_each_group(self) -> OneofMessage:
        for group in self.__oneofs__:
            chosen = [name for name in group if getattr(self, _attribute(name)) is not None]
            if len(chosen) > 1:
                raise PydanticCustomError(
                    "oneof",
                    "only one of {group} may be set, found {chosen}",
                    {"group": ", ".join(group), "chosen": ", ".join(chosen), "field": chosen[1]},
                )
        return self


def _attribute(json_name: str) -> str:
    # Generated models rename JSON names that are Python keywords ("from" → "from_").
    return json_name + "_" if keyword.iskeyword(json_name) else json_name
