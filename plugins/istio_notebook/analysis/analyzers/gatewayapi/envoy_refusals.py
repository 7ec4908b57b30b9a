"""INB5003: a Gateway API route's header value that Envoy refuses.

istiod copies the values of RequestHeaderModifier and ResponseHeaderModifier filters into the
VirtualService it makes unchanged (pilot/pkg/config/kube/gateway conversion.go, headerListToMap),
and that VirtualService is not validated, so a value goes to Envoy as its substitution format:
a literal ``50%`` or a ``%FOO%`` makes the proxy reject the whole update (Envoy 1.40.0 refuses both;
analysis/validation/envoy_format.py is its reading, tests/hostile/test_hostile_envoy_format.py).
"""

from __future__ import annotations

from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.util import as_dict, enumerate_dicts
from istio_notebook.analysis.validation.envoy_format import envoy_format_error
from istio_notebook.diagnostics import Diagnostic
from istio_notebook.gatewayapi.model import of_kind

METADATA = Metadata(
    name="gatewayapi.EnvoyRefusalAnalyzer",
    description="Flags Gateway API route header values Envoy refuses (a literal %, an unknown %COMMAND%)",
    inputs=("HTTPRoute", "GRPCRoute"),
)
_MODIFIERS = ("requestHeaderModifier", "responseHeaderModifier")


def _filter_values(filters: object, base: tuple) -> Iterator[tuple[tuple, str]]:
    for j, item in enumerate_dicts(filters):
        for modifier in _MODIFIERS:
            for op in ("set", "add"):
                for k, header in enumerate_dicts(as_dict(item.get(modifier)).get(op)):
                    name = header.get("name")
                    # host and ":" names are no headers in istiod's translation (a request host
                    # becomes a literal host rewrite): virtualservice/envoy_refusals.py
                    internal = isinstance(name, str) and (name.startswith(":") or name.lower() == "host")
                    if isinstance(header.get("value"), str) and not internal:
                        yield base + ("filters", j, modifier, op, k, "value"), header["value"]


def header_values(spec: dict) -> Iterator[tuple[tuple, str]]:
    """(field path, value) of every header value a route's rules and backendRefs set or add."""
    for i, rule in enumerate_dicts(spec.get("rules")):
        base = ("spec", "rules", i)
        yield from _filter_values(rule.get("filters"), base)
        for b, backend in enumerate_dicts(rule.get("backendRefs")):
            yield from _filter_values(backend.get("filters"), base + ("backendRefs", b))


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    for kind in METADATA.inputs:
        for route in of_kind(ctx.mesh, kind):
            for path, value in header_values(as_dict(route.get("spec"))):
                reason = envoy_format_error(value)
                if reason:
                    yield messages.envoy_refuses_value(route, path, f"the header value {value!r}", reason)
