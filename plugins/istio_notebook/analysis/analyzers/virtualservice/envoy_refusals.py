"""INB5003: values of a VirtualService that Istio's validation lets through and Envoy refuses.

Found by translating `check`-clean edge values and running ``envoy --mode validate`` (Envoy
1.40.0; tests/hostile/test_hostile_envoy_accepts.py):
- a direct response or fault abort status of 600: Istio accepts 200..600 (validation.go says
  "not in range 200-599" but tests ``> 600``), Envoy's protos take [200, 600);
- a regex whose RE2 program is larger than 32768 instructions: the limit Istio's bootstrap sets
  (pkg/bootstrap/config.go, ``re2.max_program_size.error_level``); Istio checks only that the regex
  compiles and is at most 1024 characters;
- a header value naming a %COMMAND% Envoy does not have, or giving one arguments it refuses
  (``%FOO%``, ``%REQ%``, ``%HOSTNAME(x)%``): Istio checks only that the %-expressions are well
  formed (header_value_validator.go at 1.30.3: "We don't try to check that what is inside the %%
  is one of Envoy recognized values"); analysis/validation/envoy_format.py is Envoy's reading.
"""

from __future__ import annotations

from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.util import as_dict, enumerate_dicts
from istio_notebook.analysis.validation.envoy_format import envoy_format_error
from istio_notebook.analysis.validation.values import header_value_error
from istio_notebook.config import Resource
from istio_notebook.config.regex import program_size
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="virtualservice.EnvoyRefusalAnalyzer",
    description="Flags VirtualService values Istio accepts and Envoy refuses (status 600, oversized regexes, unknown header %COMMANDS%)",
    inputs=("VirtualService",),
)

MAX_PROGRAM_SIZE = 32768  # Istio's re2.max_program_size.error_level
_STRING_MATCH_FIELDS = ("uri", "scheme", "method", "authority")


def _regexes(rule: dict, base: tuple) -> Iterator[tuple[tuple, str]]:
    """(field path, regex) of every regex of an http rule that Envoy compiles."""
    for j, match in enumerate_dicts(rule.get("match")):
        for name in _STRING_MATCH_FIELDS:
            value = match.get(name)
            if isinstance(value, dict) and isinstance(value.get("regex"), str):
                yield base + ("match", j, name, "regex"), value["regex"]
        for group in ("headers", "withoutHeaders", "queryParams"):
            items = match.get(group)
            for key, value in (items.items() if isinstance(items, dict) else ()):
                if isinstance(value, dict) and isinstance(value.get("regex"), str):
                    yield base + ("match", j, group, key, "regex"), value["regex"]
    cors = rule.get("corsPolicy")
    for k, origin in enumerate_dicts(cors.get("allowOrigins") if isinstance(cors, dict) else None):
        if isinstance(origin.get("regex"), str):
            yield base + ("corsPolicy", "allowOrigins", k, "regex"), origin["regex"]
    rewrite = rule.get("rewrite")
    regex_rewrite = rewrite.get("uriRegexRewrite") if isinstance(rewrite, dict) else None
    if isinstance(regex_rewrite, dict) and isinstance(regex_rewrite.get("match"), str):
        yield base + ("rewrite", "uriRegexRewrite", "match"), regex_rewrite["match"]


def _statuses(rule: dict, base: tuple) -> Iterator[tuple[tuple, object]]:
    direct = rule.get("directResponse")
    if isinstance(direct, dict):
        yield base + ("directResponse", "status"), direct.get("status")
    fault = rule.get("fault")
    abort = fault.get("abort") if isinstance(fault, dict) else None
    if isinstance(abort, dict):
        yield base + ("fault", "abort", "httpStatus"), abort.get("httpStatus")


def _header_values(rule: dict, base: tuple) -> Iterator[tuple[tuple, str]]:
    """(field path, value) of every header value a rule or one of its destinations adds or sets
    as a header. A ``host`` or ``:``-prefixed one is none: istiod skips internal headers
    (route.go translateAppendHeaders) and makes a request host the route's host_rewrite_literal,
    which Envoy takes as it is."""
    owners = [(base, rule)] + [(base + ("route", k), dest) for k, dest in enumerate_dicts(rule.get("route"))]
    for path, owner in owners:
        for side in ("request", "response"):
            ops = as_dict(as_dict(owner.get("headers")).get(side))
            for op in ("set", "add"):
                for name, value in as_dict(ops.get(op)).items():
                    if isinstance(value, str) and not (name.startswith(":") or name.lower() == "host"):
                        yield path + ("headers", side, op, name), value


def _rule_findings(vs: Resource, rule: dict, base: tuple) -> Iterator[Diagnostic]:
    for path, status in _statuses(rule, base):
        if status == 600 and not isinstance(status, bool):
            yield messages.envoy_refuses_value(vs, path, "HTTP status 600", "Envoy takes statuses from 200 to 599")
    for path, regex in _regexes(rule, base):
        size = program_size(regex)
        if size is not None and size > MAX_PROGRAM_SIZE:
            yield messages.envoy_refuses_value(
                vs, path, f"a regex of RE2 program size {size}",
                f"Istio's bootstrap lets Envoy compile at most {MAX_PROGRAM_SIZE} (re2.max_program_size.error_level)")
    for path, value in _header_values(rule, base):
        reason = None if header_value_error(value) else envoy_format_error(value)
        if reason:
            yield messages.envoy_refuses_value(vs, path, f"the header value {value!r}", reason)


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    for vs in ctx.of_kind("VirtualService"):
        for i, rule in enumerate_dicts(vs.get("spec", "http")):
            yield from _rule_findings(vs, rule, ("spec", "http", i))
