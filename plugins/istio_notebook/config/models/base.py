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


@lru_cache(maxsize=4096)
def duration_nanos(text: str) -> int | None:
    """Nanoseconds in a Go/protobuf duration string (exact), or None when it is not one."""
    if not _DURATION.fullmatch(text):
        return None
    sign = -1 if text.startswith("-") else 1
    body = text.lstrip("+-")
    if body == "0":
        return 0
    total = sum(Fraction(number) * _UNIT_NANOS[unit] for number, unit in _DURATION_PART.findall(body))
    return sign * int(total)


def _check_duration(value: str) -> str:
    if duration_nanos(value) is None:
        raise PydanticCustomError(
            "duration", "invalid duration {value}: expected a number with a unit, e.g. 1.5s, 100ms, 3m", {"value": repr(value)}
        )
    return value


def _integer_or_decimal_string(value: Any) -> Any:
    # Protobuf JSON writes 64-bit integers as strings; accept "123" as well as 123.
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
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
