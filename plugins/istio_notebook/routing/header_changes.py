"""Header operations (set / add / remove) on one side of a request, and how two of them combine.

``merged`` follows Envoy's header parsers (Envoy docs, "Custom request/response headers";
HeaderValueOption append_action; replayed in tests/envoy/test_response_headers.py): a parser
removes its ``remove`` names first, then applies its options in order, ``set`` (OVERWRITE_IF_EXISTS_OR_ADD) replacing the value, ``add``
(APPEND_IF_EXISTS_OR_ADD) appending one. Two parsers run one after the other (a weighted cluster's,
then its route's); a single destination's operations are appended to its rule's in one parser
(pilot/pkg/networking/core/route/route.go processDestination at 1.30.3): ``same_parser``.
Architecture: docs/contributing/architecture.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class HeaderOps:
    """set/add/remove on one side (request to the upstream, or response to the caller)."""

    set: tuple[tuple[str, str], ...] = ()
    add: tuple[tuple[str, str], ...] = ()
    remove: tuple[str, ...] = ()

    @classmethod
    def of(cls, set_: Mapping[str, str] | None = None, add: Mapping[str, str] | None = None,
           remove: tuple[str, ...] | list[str] = ()) -> HeaderOps:
        return cls(tuple((set_ or {}).items()), tuple((add or {}).items()), tuple(remove))

    def options(self) -> list[tuple[str, str, str]]:
        """(op, name, value) in the order istiod writes them: the sets, then the adds."""
        return [("set", k, v) for k, v in self.set] + [("add", k, v) for k, v in self.add]

    def merged(self, later: HeaderOps, *, same_parser: bool = False) -> HeaderOps:
        """This side's operations, then ``later``'s, as what a request then shows: a ``set``
        replaces what came before for its name, an ``add`` appends to an earlier set or add of
        it (values joined with ", ", as they arrive) and is a ``set`` after a removal, a
        ``remove`` undoes earlier ones, and only a name not there at the end stays removed."""
        state = _Shown()
        if same_parser:
            state.parser(self.remove + later.remove, self.options() + later.options())
        else:
            state.parser(self.remove, self.options())
            state.parser(later.remove, later.options())
        return state.ops()

    def effective(self) -> HeaderOps:
        """These operations as one Envoy header parser applies them (removals first)."""
        return HeaderOps().merged(self)

    def to_json(self) -> dict[str, Any]:
        return {"set": dict(self.set), "add": dict(self.add), "remove": list(self.remove)}


class _Shown:
    """What a request shows of each header name, parser after parser."""

    def __init__(self) -> None:
        self.set: dict[str, str] = {}
        self.add: dict[str, str] = {}
        self.removed: dict[str, None] = {}

    def parser(self, removals: tuple[str, ...], options: list[tuple[str, str, str]]) -> None:
        for name in removals:
            self.set.pop(name, None)
            self.add.pop(name, None)
            self.removed[name] = None
        for op, name, value in options:
            if op == "set":
                self.set[name] = value
                self.add.pop(name, None)
            elif name in self.set:
                self.set[name] = f"{self.set[name]}, {value}"
            elif name in self.add:
                self.add[name] = f"{self.add[name]}, {value}"
            elif name in self.removed:
                self.set[name] = value  # added after the removal: the only value there is
            else:
                self.add[name] = value

    def ops(self) -> HeaderOps:
        gone = tuple(n for n in self.removed if n not in self.set and n not in self.add)
        return HeaderOps(tuple(self.set.items()), tuple(self.add.items()), gone)


@dataclass(frozen=True)
class HeaderChanges:
    """Header operations per side; a side without operations is left out of the JSON."""

    request: HeaderOps | None = None
    response: HeaderOps | None = None

    def merged(self, later: HeaderChanges, *, same_parser: bool = False) -> HeaderChanges:
        def side(a: HeaderOps | None, b: HeaderOps | None) -> HeaderOps | None:
            return b if a is None else (a if b is None else a.merged(b, same_parser=same_parser))

        return HeaderChanges(side(self.request, later.request), side(self.response, later.response))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.request is not None:
            out["request"] = self.request.to_json()
        if self.response is not None:
            out["response"] = self.response.to_json()
        return out


def then(first: HeaderChanges | None, later: HeaderChanges | None, *, same_parser: bool = False) -> HeaderChanges | None:
    """``first`` then ``later``, either of them possibly None."""
    if first is None or later is None:
        return later if first is None else first
    return first.merged(later, same_parser=same_parser)


def _ops(data: Any) -> HeaderOps | None:
    if not isinstance(data, Mapping):
        return None
    return HeaderOps.of(data.get("set"), data.get("add"), tuple(data.get("remove") or ()))


def changes_from_json(data: Any) -> HeaderChanges | None:
    """The typed form of a ``headers`` JSON value (null → None)."""
    if not isinstance(data, Mapping) or not data:
        return None
    return HeaderChanges(_ops(data.get("request")), _ops(data.get("response")))
