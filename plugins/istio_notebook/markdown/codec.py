"""Typed records ↔ JSON data, for the build cache: data only, nothing in a cache file can run code.

``encode`` turns dataclasses, enums, tuples, sets and dicts into JSON values; ``decode(hint, data)``
rebuilds exactly the type the annotation names (``decode(PreparedPage, data)``) and raises
:class:`DecodeError` on anything else. Only classes reachable from the annotations are ever
built, by their own constructors; a class named in the data is looked up among the union's
members, never imported. Values of untyped fields (``dict``) must be JSON values (tuples are
tagged so that they come back as tuples).
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from functools import cache

_TYPE = "__type__"
_TUPLE = "__tuple__"


class DecodeError(ValueError):
    """The data does not have the shape of the annotated type."""


def encode(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        data = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        data[_TYPE] = type(value).__name__
        return data
    if isinstance(value, enum.Enum):
        return encode(value.value)
    if isinstance(value, dict):
        return {"__items__": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, tuple):
        return {_TUPLE: [encode(v) for v in value]}
    if isinstance(value, (list, set, frozenset)):
        items = [encode(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    raise TypeError(f"cannot encode {type(value).__name__}")


@cache
def _hints(cls: type) -> dict[str, object]:
    return typing.get_type_hints(cls)


def decode(hint: object, data: object) -> object:
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        return _union(typing.get_args(hint), data)
    if origin is typing.Literal:
        if data not in typing.get_args(hint):
            raise DecodeError(f"{data!r} is not one of {typing.get_args(hint)}")
        return data
    if origin in (list, set, frozenset):
        (item,) = typing.get_args(hint) or (object,)
        return origin(decode(item, v) for v in _expect(data, list))
    if origin is tuple:
        args = typing.get_args(hint)
        values = _expect(_expect(data, dict).get(_TUPLE), list)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(decode(args[0], v) for v in values)
        if len(args) != len(values):
            raise DecodeError("tuple of the wrong length")
        return tuple(decode(a, v) for a, v in zip(args, values))
    if origin is dict:
        key, value = typing.get_args(hint) or (object, object)
        pairs = _expect(_expect(data, dict).get("__items__"), list)
        return {decode(key, k): decode(value, v) for k, v in (_pair(p) for p in pairs)}
    return _plain(hint, data)


def _plain(hint: object, data: object) -> object:
    if hint is None or hint is type(None):
        if data is not None:
            raise DecodeError("expected null")
        return None
    if hint in (object, typing.Any, dict, list, tuple):
        return _untyped(data)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _dataclass(hint, data)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        try:
            return hint(data)
        except ValueError as error:
            raise DecodeError(str(error)) from None
    if hint is float and isinstance(data, int) and not isinstance(data, bool):
        return float(data)
    if hint in (str, int, bool, float) and type(data) is hint:
        return data
    raise DecodeError(f"expected {getattr(hint, '__name__', hint)}, got {type(data).__name__}")


def _dataclass(cls: type, data: object) -> object:
    data = _expect(data, dict)
    if data.get(_TYPE) != cls.__name__:
        raise DecodeError(f"expected a {cls.__name__}, got {data.get(_TYPE)!r}")
    hints = _hints(cls)
    fields = [f for f in dataclasses.fields(cls) if f.init]
    unknown = set(data) - {f.name for f in fields} - {_TYPE}
    if unknown:
        raise DecodeError(f"unknown fields {sorted(unknown)} for {cls.__name__}")
    values = {f.name: decode(hints[f.name], data[f.name]) for f in fields if f.name in data}
    try:
        return cls(**values)
    except TypeError as error:  # a required field is missing
        raise DecodeError(str(error)) from None


def _union(members: tuple, data: object) -> object:
    if data is None and type(None) in members:
        return None
    if isinstance(data, dict) and _TYPE in data:
        for member in members:
            if isinstance(member, type) and member.__name__ == data[_TYPE]:
                return _dataclass(member, data)
    for member in members:
        if member is type(None):
            continue
        try:
            return decode(member, data)
        except DecodeError:
            continue
    raise DecodeError(f"{type(data).__name__} matches none of {members}")


def _untyped(data: object) -> object:
    if isinstance(data, list):
        return [_untyped(v) for v in data]
    if isinstance(data, dict):
        if set(data) == {_TUPLE}:
            return tuple(_untyped(v) for v in _expect(data[_TUPLE], list))
        if set(data) == {"__items__"}:
            return {_untyped(k): _untyped(v) for k, v in (_pair(p) for p in _expect(data["__items__"], list))}
        raise DecodeError("untyped mapping without __items__")
    if data is None or isinstance(data, (str, bool, int, float)):
        return data
    raise DecodeError(f"unexpected {type(data).__name__}")


def _pair(item: object) -> tuple[object, object]:
    pair = _expect(item, list)
    if len(pair) != 2:
        raise DecodeError("a mapping item is not a pair")
    return pair[0], pair[1]


def _expect(data: object, kind: type) -> typing.Any:
    if not isinstance(data, kind):
        raise DecodeError(f"expected {kind.__name__}, got {type(data).__name__}")
    return data
