"""The outcome of routing one request: the typed form of the `route` JSON contract
(docs/reference/cli.md).

Both engines answer with these types: the simulator (routing/simulate.py) and the Envoy replay
(envoy/observe.py reads what real Envoy did into them); the expectation checkers
(examples/expectations.py) read them. ``to_json`` here is the only writer of the contract, so the
JSON is the same whichever engine answered (tests/routing/test_outcome_json.py pins it byte for
byte). What an engine cannot know is None (the Envoy replay cannot see a DestinationRule's name).

Values are in the contract's units: hosts as FQDN, weights and percentages as percent, durations
as Istio writes them ("2.5s", "0.5s"). Architecture: docs/contributing/architecture.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from istio_notebook.config.json_lines import encoded, escaped, strings_json, writable
from istio_notebook.routing.header_changes import (  # noqa: F401 (HeaderOps: re-exported)
    HeaderChanges,
    HeaderOps,
    changes_from_json,
)


@dataclass(frozen=True)
class Upstream:
    """One destination of a route: the cluster Envoy sends to and its share of requests."""

    host: str
    subset: str | None
    port: int | None
    weight: float | int | None  # percent of requests; the TCP fallback reports a bare int 100
    cluster: str
    # A weighted route's destination with header operations of its own: the operations of a
    # request it serves (its own, then the rule's); None when the outcome's ``headers`` say it all.
    headers: HeaderChanges | None = None

    def to_json(self) -> dict[str, Any]:
        return {"host": self.host, "subset": self.subset, "port": self.port, "weight": self.weight, "cluster": self.cluster,
                "headers": self.headers.to_json() if self.headers is not None else None}


@dataclass(frozen=True)
class Rewrite:
    """Path (with query) and authority as the upstream receives them; None: unchanged."""

    uri: str | None
    authority: str | None

    def to_json(self) -> dict[str, Any]:
        return {"uri": self.uri, "authority": self.authority}


@dataclass(frozen=True)
class RedirectTo:
    location: str
    status: int

    def to_json(self) -> dict[str, Any]:
        return {"location": self.location, "status": self.status}


@dataclass(frozen=True)
class DirectResponse:
    status: int
    body: str | None

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "body": self.body}


@dataclass(frozen=True)
class Delay:
    fixed_delay: str | None
    percentage: float | None  # None: one request cannot tell (Envoy replay)

    def to_json(self) -> dict[str, Any]:
        return {"fixed_delay": self.fixed_delay, "percentage": self.percentage}


@dataclass(frozen=True)
class Abort:
    """An injected abort: an HTTP status or a gRPC status name, never both."""

    percentage: float | None
    http_status: int | None = None
    grpc_status: str | None = None

    @property
    def status(self) -> int | str | None:
        return self.http_status if self.http_status is not None else self.grpc_status

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"percentage": self.percentage}
        if self.http_status is not None:
            out["http_status"] = self.http_status
        elif self.grpc_status is not None:
            out["grpc_status"] = self.grpc_status
        return out


@dataclass(frozen=True)
class Fault:
    delay: Delay | None = None
    abort: Abort | None = None

    def to_json(self) -> dict[str, Any]:
        return {"delay": _json(self.delay), "abort": _json(self.abort)}


@dataclass(frozen=True)
class Retries:
    attempts: int
    per_try_timeout: str | None
    retry_on: str | None

    def to_json(self) -> dict[str, Any]:
        return {"attempts": self.attempts, "per_try_timeout": self.per_try_timeout, "retry_on": self.retry_on}


@dataclass(frozen=True)
class MirrorTo:
    host: str
    subset: str | None
    port: int | None
    cluster: str
    percentage: float | None

    def to_json(self) -> dict[str, Any]:
        return {"host": self.host, "subset": self.subset, "port": self.port, "cluster": self.cluster,
                "percentage": self.percentage}


@dataclass(frozen=True)
class OriginMatch:
    """One allowed CORS origin: kind exact | prefix | suffix | regex, or present (any origin)."""

    kind: str
    value: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"present": True} if self.kind == "present" else {self.kind: self.value}


@dataclass(frozen=True)
class Cors:
    allow_origins: tuple[OriginMatch, ...] = ()
    allow_methods: tuple[str, ...] = ()
    allow_headers: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    max_age: str | None = None
    allow_credentials: bool | None = None
    # unmatchedPreflights: IGNORE → False (Envoy answers a preflight from another origin itself).
    # Not in the JSON: what it changes is the answer to a preflight, which the outcome shows.
    forward_unmatched_preflights: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "allow_origins": [o.to_json() for o in self.allow_origins],
            "allow_methods": list(self.allow_methods),
            "allow_headers": list(self.allow_headers),
            "expose_headers": list(self.expose_headers),
            "max_age": self.max_age,
            "allow_credentials": self.allow_credentials,
        }


@dataclass(frozen=True)
class TlsSettings:
    mode: str  # DISABLE | SIMPLE | MUTUAL | ISTIO_MUTUAL
    auto: bool | None  # True: Istio's auto mTLS chose it; None: unknown (Envoy replay)

    def to_json(self) -> dict[str, Any]:
        return {"mode": self.mode, "auto": self.auto}


@dataclass(frozen=True)
class TrafficPolicy:
    """The DestinationRule policy that applies to the main destination.

    ``load_balancer``, ``connection_pool`` and ``outlier_detection`` are the DestinationRule's own
    fields, verbatim (Istio's camelCase inside, e.g. ``{"consistentHash": {...}}``): the contract
    shows them as written. ``load_balancer_simple`` reads the one value checks compare."""

    destination_rules: tuple[str, ...] | None
    scope: str | None
    tls: TlsSettings
    load_balancer: Mapping[str, Any] | None
    connection_pool: Mapping[str, Any] | None = None
    outlier_detection: Mapping[str, Any] | None = None

    @property
    def load_balancer_simple(self) -> str | None:
        simple = (self.load_balancer or {}).get("simple")
        return str(simple) if simple is not None else None

    def to_json(self) -> dict[str, Any]:
        return {
            "destination_rules": list(self.destination_rules) if self.destination_rules is not None else None,
            "scope": self.scope,
            "tls": self.tls.to_json(),
            "load_balancer": self.load_balancer,
            "connection_pool": self.connection_pool,
            "outlier_detection": self.outlier_detection,
        }


@dataclass(frozen=True)
class RouteOutcome:
    """Where one request went. ``action``: route | redirect | direct_response | no_route |
    passthrough | blackhole | rejected (Envoy's connection manager answered the request itself,
    before routing: routing/wire.py) (None: the Envoy replay could not send it, see ``envoy``)."""

    action: str | None
    status: int | None = None
    virtual_service: str | None = None
    route_index: int | None = None
    match_index: int | None = None
    route_name: str | None = None
    route_ref: Any = None  # gatewayapi.RouteRef (or its JSON mapping): the Gateway API rule behind a generated route
    waypoint: str | None = None  # "ns/name" of the waypoint an ambient client's request went through (routing/ambient.py)
    destinations: tuple[Upstream, ...] = ()
    rewrite: Rewrite | None = None
    redirect: RedirectTo | None = None
    direct_response: DirectResponse | None = None
    fault: Fault | None = None
    timeout: str | None = None
    retries: Retries | None = None
    mirrors: tuple[MirrorTo, ...] = ()
    headers: HeaderChanges | None = None
    cors: Cors | None = None
    policy: TrafficPolicy | None = None
    protocol: Mapping[str, Any] | None = None  # routing.port_protocol: the port's protocol and why
    trace: tuple[str, ...] = ()
    envoy: Mapping[str, Any] | None = None  # Envoy replay only: what was observed (listener, flags, ...)
    route: Any = field(default=None, repr=False, compare=False)  # simulator: the table Route that decided

    @classmethod
    def of(cls, action: str | None, **given: Any) -> RouteOutcome:
        """``RouteOutcome(action, **given)`` without the frozen ``__init__``'s one
        ``object.__setattr__`` per field (the simulator makes one per request)."""
        return _DEFAULT.replaced(action=action, **given)

    def replaced(self, **changes: Any) -> RouteOutcome:
        """``dataclasses.replace`` without re-running the frozen ``__init__`` (one
        ``object.__setattr__`` per field; the class has no ``__post_init__``): the simulator
        replaces once per request, and that cost a tenth of a request (benchmarks/route_scale.py)."""
        unknown = changes.keys() - _OUTCOME_FIELDS
        if unknown:
            raise TypeError(f"RouteOutcome has no field {sorted(unknown)[0]!r}")
        new = object.__new__(RouteOutcome)
        state = new.__dict__
        state.update(self.__dict__)
        state.update(changes)
        if changes.keys() <= _TAIL_FIELDS:
            # The fields before ``protocol`` are unchanged: share their encoded JSON (see json_line).
            state[_HEAD] = self.__dict__.setdefault(_HEAD, [None, None, None])
        else:
            state.pop(_HEAD, None)
        return new

    def to_json(self) -> dict[str, Any]:
        out = self._head_json()
        out["protocol"] = dict(self.protocol) if self.protocol is not None else None
        out["trace"] = list(self.trace)
        if self.envoy is not None:
            out["envoy"] = dict(self.envoy)
        return out

    def json_line(self) -> str:
        """:meth:`to_json` as one compact JSON line (config.json_lines.compact), byte for byte.
        The JSON before ``protocol`` is encoded once for every outcome replaced from another on
        its tail fields only (a route's reused outcome, routing/decide.py: one per request), and
        each trace line once (config.json_lines.strings_json)."""
        # [head JSON without its closing brace ("": UTF-8 cannot carry it), the last protocol
        # mapping seen with it (held: compared by identity) and that mapping's JSON]
        cell = self.__dict__.setdefault(_HEAD, [None, None, None])
        if cell[0] is None:
            head = encoded(self._head_json())
            cell[0] = head[:-1] if writable(head) else ""
        if cell[1] is not self.protocol or cell[2] is None:
            cell[1], cell[2] = self.protocol, encoded(dict(self.protocol)) if self.protocol is not None else "null"
        lines = strings_json(self.trace)
        envoy = "" if self.envoy is None else ',"envoy":' + encoded(dict(self.envoy))
        if not cell[0] or lines is None or not writable(cell[2] + envoy):
            return escaped(self.to_json())
        return f'{cell[0]},"protocol":{cell[2]},"trace":[{",".join(lines)}]{envoy}}}'

    def _head_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "status": self.status,
            "virtual_service": self.virtual_service,
            "route_index": self.route_index,
            "match_index": self.match_index,
            "route_name": self.route_name,
            "route_ref": dict(self.route_ref) if isinstance(self.route_ref, Mapping) else _json(self.route_ref),
            "waypoint": self.waypoint,
            "destinations": [d.to_json() for d in self.destinations],
            "rewrite": _json(self.rewrite),
            "redirect": _json(self.redirect),
            "direct_response": _json(self.direct_response),
            "fault": _json(self.fault),
            "timeout": self.timeout,
            "retries": _json(self.retries),
            "mirrors": [m.to_json() for m in self.mirrors],
            "headers": _json(self.headers),
            "cors": _json(self.cors),
            "policy": _json(self.policy),
        }


_OUTCOME_FIELDS = frozenset(f.name for f in fields(RouteOutcome))
# The fields written after the others (to_json's order): replacing only these keeps the head's JSON.
_TAIL_FIELDS = frozenset({"protocol", "trace", "envoy"})
_HEAD = "_head_json_text"  # instance cache (see json_line), shared by outcomes of one head
_DEFAULT = RouteOutcome(None)  # every field at its default: RouteOutcome.of starts from it


def _json(value: Any) -> Any:
    return value.to_json() if value is not None else None


# -- reading the contract back (JSON written by `route --format json` or a batch) ----------------


def _fault(data: Any) -> Fault | None:
    if not isinstance(data, Mapping):
        return None
    delay, abort = data.get("delay"), data.get("abort")
    return Fault(
        Delay(delay.get("fixed_delay"), delay.get("percentage")) if isinstance(delay, Mapping) else None,
        Abort(abort.get("percentage"), abort.get("http_status"), abort.get("grpc_status")) if isinstance(abort, Mapping) else None,
    )


def _cors(data: Any) -> Cors | None:
    if not isinstance(data, Mapping):
        return None
    origins = tuple(OriginMatch("present") if "present" in o else OriginMatch(*next(iter(o.items())))
                    for o in data.get("allow_origins") or () if isinstance(o, Mapping) and o)
    return Cors(origins, tuple(data.get("allow_methods") or ()), tuple(data.get("allow_headers") or ()),
                tuple(data.get("expose_headers") or ()), data.get("max_age"), data.get("allow_credentials"))


def _policy(data: Any) -> TrafficPolicy | None:
    if not isinstance(data, Mapping):
        return None
    tls = data.get("tls") if isinstance(data.get("tls"), Mapping) else {}
    rules = data.get("destination_rules")
    return TrafficPolicy(tuple(rules) if rules is not None else None, data.get("scope"),
                         TlsSettings(tls.get("mode"), tls.get("auto")), data.get("load_balancer"),
                         data.get("connection_pool"), data.get("outlier_detection"))


def _maybe(cls: type, data: Any, *keys: str) -> Any:
    return cls(*(data.get(k) for k in keys)) if isinstance(data, Mapping) else None


def _upstream(data: Any) -> Upstream | None:
    if not isinstance(data, Mapping):
        return None
    return Upstream(data.get("host"), data.get("subset"), data.get("port"), data.get("weight"), data.get("cluster"),
                    changes_from_json(data.get("headers")))


def outcome_from_json(data: Mapping[str, Any]) -> RouteOutcome:
    """The typed outcome of a `route` JSON answer; missing keys read as null / empty."""
    return RouteOutcome(
        action=data.get("action"), status=data.get("status"), virtual_service=data.get("virtual_service"),
        route_index=data.get("route_index"), match_index=data.get("match_index"), route_name=data.get("route_name"),
        route_ref=data.get("route_ref"),  # read back as the mapping it is in JSON
        waypoint=data.get("waypoint"),
        destinations=tuple(_upstream(d) for d in data.get("destinations") or ()),
        rewrite=_maybe(Rewrite, data.get("rewrite"), "uri", "authority"),
        redirect=_maybe(RedirectTo, data.get("redirect"), "location", "status"),
        direct_response=_maybe(DirectResponse, data.get("direct_response"), "status", "body"),
        fault=_fault(data.get("fault")), timeout=data.get("timeout"),
        retries=_maybe(Retries, data.get("retries"), "attempts", "per_try_timeout", "retry_on"),
        mirrors=tuple(_maybe(MirrorTo, m, "host", "subset", "port", "cluster", "percentage") for m in data.get("mirrors") or ()),
        headers=changes_from_json(data.get("headers")),
        cors=_cors(data.get("cors")), policy=_policy(data.get("policy")), protocol=data.get("protocol"),
        trace=tuple(data.get("trace") or ()), envoy=data.get("envoy"),
    )
