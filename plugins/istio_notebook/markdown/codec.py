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
_ITEMS = "__items__"  # a mapping as [key, value] pairs (keys that are not strings)
_RESERVED = {_TYPE, _TUPLE, _ITEMS}


class DecodeError(ValueError):
    """The data does not have the shape of the annotated type."""


def encode(value: object) -> object:
    kind = type(value)
    if value is None or kind in (str, int, bool, float):
        return value
    if kind is list:
        return [encode(v) for v in value]
    names = _field_names(kind)
    if names is not None:
        data = {name: encode(getattr(value, name)) for name in names}
        data[_TYPE] = kind.__name__
        return data
    if isinstance(value, enum.Enum):
        return encode(value.value)
    if isinstance(value, dict):
        if all(type(k) is str for k in value) and not (len(value) == 1 and _RESERVED.intersection(value)):
            return {k: encode(v) for k, v in value.items()}  # JSON's own object (most untyped dicts)
        return {_ITEMS: [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, tuple):
        return {_TUPLE: [encode(v) for v in value]}
    if isinstance(value, (list, set, frozenset)):
        items = [encode(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, (str, bool, int, float)):
        return value
    raise TypeError(f"cannot encode {kind.__name__}")


@cache
def _field_names(kind: type) -> tuple[str, ...] | None:
    if not dataclasses.is_dataclass(kind):
        return None
    return tuple(f.name for f in dataclasses.fields(kind) if f.init)


@cache
def _hints(cls: type) -> dict[str, object]:
    return typing.get_type_hints(cls)


def decode(hint: object, data: object) -> object:
    return _decoder(hint)(data)


@cache
def _decoder(hint: object) -> typing.Callable[[object], object]:
    """A function that rebuilds ``hint`` from JSON data, made once per annotation (decoding is on every warm build)."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Union or origin is types.UnionType:
        return _union_decoder(args)
    if origin is typing.Literal:
        return lambda data: data if data in args else _fail(f"{data!r} is not one of {args}")
    if origin in (list, set, frozenset):
        item = _decoder(args[0] if args else object)
        return lambda data: origin(item(v) for v in _expect(data, list))
    if origin is tuple:
        return _tuple_decoder(args)
    if origin is dict:
        return _dict_decoder(*(_decoder(a) for a in (args or (object, object))))
    return _plain_decoder(hint)


def _dict_decoder(key: typing.Callable, value: typing.Callable) -> typing.Callable[[object], object]:
    def decode_dict(data: object) -> dict:
        data = _expect(data, dict)
        if len(data) == 1 and _ITEMS in data:
            return {key(k): value(v) for k, v in (_pair(p) for p in _expect(data[_ITEMS], list))}
        if _RESERVED.intersection(data):
            raise DecodeError("a mapping with reserved keys")
        return {key(k): value(v) for k, v in data.items()}

    return decode_dict


def _tuple_decoder(args: tuple) -> typing.Callable[[object], object]:
    if len(args) == 2 and args[1] is Ellipsis:
        item = _decoder(args[0])
        return lambda data: tuple(item(v) for v in _expect(_expect(data, dict).get(_TUPLE), list))
    items = [_decoder(a) for a in args]

    def decode_fixed(data: object) -> tuple:
        values = _expect(_expect(data, dict).get(_TUPLE), list)
        if len(values) != len(items):
            raise DecodeError("tuple of the wrong length")
        return tuple(f(v) for f, v in zip(items, values))

    return decode_fixed


def _plain_decoder(hint: object) -> typing.Callable[[object], object]:
    if hint is None or hint is type(None):
        return lambda data: None if data is None else _fail("expected null")
    if hint in (object, typing.Any, dict, list, tuple):
        return _untyped
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _dataclass_decoder(hint)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return lambda data: _enum(hint, data)
    if hint is float:
        return lambda data: float(data) if type(data) in (int, float) else _fail(f"expected float, got {type(data).__name__}")
    if hint in (str, int, bool):
        return lambda data: data if type(data) is hint else _fail(f"expected {hint.__name__}, got {type(data).__name__}")
    return lambda data: _fail(f"cannot decode {hint!r}")


def _enum(cls: type, data: object) -> object:
    try:
        return cls(data)
    except ValueError as error:
        raise DecodeError(str(error)) from None


def _dataclass_decoder(cls: type) -> typing.Callable[[object], object]:
    hints = _hints(cls)
    fields = {f.name: _decoder(hints[f.name]) for f in dataclasses.fields(cls) if f.init}
    allowed = set(fields) | {_TYPE}
    name = cls.__name__

    def decode_dataclass(data: object) -> object:
        data = _expect(data, dict)
        if data.get(_TYPE) != name:
            raise DecodeError(f"expected a {name}, got {data.get(_TYPE)!r}")
        if not allowed.issuperset(data):
            raise DecodeError(f"unknown fields {sorted(set(data) - allowed)} for {name}")
        try:
            return cls(**{k: fields[k](v) for k, v in data.items() if k != _TYPE})
        except TypeError as error:  # a required field is missing
            raise DecodeError(str(error)) from None

    return decode_dataclass


def _union_decoder(members: tuple) -> typing.Callable[[object], object]:
    by_name = {m.__name__: _decoder(m) for m in members if isinstance(m, type) and dataclasses.is_dataclass(m)}
    others = [_decoder(m) for m in members if m is not type(None)]
    optional = type(None) in members

    def decode_union(data: object) -> object:
        if data is None and optional:
            return None
        if isinstance(data, dict) and data.get(_TYPE) in by_name:
            return by_name[data[_TYPE]](data)
        for decode_member in others:
            try:
                return decode_member(data)
            except DecodeError:
                continue
        raise DecodeError(f"{type(data).__name__} matches none of {members}")

    return decode_union


def _fail(message: str) -> typing.NoReturn:
    raise DecodeError(message)


def _untyped(data: object) -> object:
    if isinstance(data, list):
        return [_untyped(v) for v in data]
    if isinstance(data, dict):
        if len(data) == 1 and _TUPLE in data:
            return tuple(_untyped(v) for v in _expect(data[_TUPLE], list))
        return _UNTYPED_DICT(data)
    if data is None or isinstance(data, (str, bool, int, float)):
        return data
    raise DecodeError(f"unexpected {type(data).__name__}")


_UNTYPED_DICT = _dict_decoder(lambda k: _hashable(_untyped(k)), _untyped)


def _hashable(key: object) -> object:
    try:
        hash(key)
    except TypeError:
        raise DecodeError("a mapping key that cannot be a key") from None
    return key


def _pair(item: object) -> tuple[object, object]:
    pair = _expect(item, list)
    if len(pair) != 2:
        raise DecodeError("a mapping item is not a pair")
    return pair[0], pair[1]


def _expect(data: object, kind: type) -> typing.Any:
    if not isinstance(data, kind):
        raise DecodeError(f"expected {kind.__name__}, got {type(data).__name__}")
    return data
