"""Building blocks of the typed models: the strict base class and protobuf-JSON scalar types.

Istio decodes its resources strictly (``istioctl validate`` and the webhook reject unknown
fields) and the CRD schemas type every scalar, so the models are strict too: a string field
does not take a number, a bool does not take ``"true"``, integers are range-checked for their
protobuf width. Durations are strings (``"1.5s"``, ``"3m"``: Istio accepts Go duration syntax).
"""

from __future__ import annotations

import keyword
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
from istio_notebook.config.durations import duration_nanos, duration_range_error

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

    # defer_build: a model's validator is built when it is first used (registry.adapter builds one
    # per kind), not at import: 213 models, of which a run uses a few kinds' (the playground's
    # imports took 1.0 s less CPU in Pyodide, the CLI's 0.1 s less).
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, validate_default=False, revalidate_instances="never", defer_build=True)


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
