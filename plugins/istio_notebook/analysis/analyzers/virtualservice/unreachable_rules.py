"""IST0130 / IST0131: VirtualService rules and matches that can never apply.

istioctl emits these from validation (pkg/config/validation/validation.go,
``analyzeUnreachableHTTPRules`` and its TCP/TLS twins) and ``istioctl analyze`` reports them:
- a rule after a rule without ``match`` is unreachable ("route without matches defined
  before" per match, or "only the last rule can have no matches" for a second catch-all);
- a match identical to an earlier one (ignoring its ``name``) is ineffective (IST0131); a rule
  all of whose matches are such duplicates is unreachable ("all matches used by prior rules");
- HTTP only: a ``uri.prefix`` match covered by an earlier, shorter prefix with the same port and
  compatible method/authority/headers/queryParams/withoutHeaders is ineffective.
Rule and match names print as istioctl prints them: ``"name"`` when named, else ``#index``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.util import as_dict, as_list
from istio_notebook.config import Resource
from istio_notebook.config.matchers import Prefix, from_istio
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="virtualservice.UnreachableRulesAnalyzer",
    description="Checks for VirtualService rules and matches that an earlier rule makes unreachable",
    inputs=("VirtualService",),
)


def _rule_name(rule: dict, index: int, section: str) -> str:
    name = rule.get("name") if section == "http" else None
    return json.dumps(name) if isinstance(name, str) and name else f"#{index}"


def _match_name(match: object, index: int, section: str) -> str:
    name = as_dict(match).get("name") if section == "http" else None
    return json.dumps(name) if isinstance(name, str) and name else f"#{index}"


def _match_key(match: object) -> str:
    if isinstance(match, dict):
        match = {k: v for k, v in match.items() if k != "name"}
    return json.dumps(match, sort_keys=True, default=str)


def _exact_or_prefix(value: object) -> str:
    matcher = from_istio(value)
    return matcher.overlap_key() if matcher is not None else ""


@dataclass
class _PrefixMatch:
    rule: str
    match: str
    path: tuple
    prefix: str
    port: object
    method: str
    authority: str
    headers: dict
    query_params: dict
    without_headers: dict


def _prefix_match(match: dict, rule: str, name: str, path: tuple) -> _PrefixMatch | None:
    uri = from_istio(match.get("uri"))
    if not isinstance(uri, Prefix):
        return None
    prefix = uri.value
    return _PrefixMatch(
        rule=rule,
        match=name,
        path=path,
        prefix=prefix,
        port=match.get("port") or 0,
        method=_exact_or_prefix(match.get("method")) or "exact:GET",
        authority=_exact_or_prefix(match.get("authority")),
        headers={k: _exact_or_prefix(v) for k, v in as_dict(match.get("headers")).items()},
        query_params={k: _exact_or_prefix(v) for k, v in as_dict(match.get("queryParams")).items()},
        without_headers={k: _exact_or_prefix(v) for k, v in as_dict(match.get("withoutHeaders")).items()},
    )


def _maps_cover(a: dict, b: dict) -> bool:
    if len(a) != len(b):
        return False
    return all(k in b and (v == b[k] or v.startswith(b[k])) for k, v in a.items())


def _covers(a: _PrefixMatch, b: _PrefixMatch) -> bool:
    """istioctl's ``coveredValidation``: earlier match ``a`` covers later match ``b``."""
    if not b.prefix.startswith(a.prefix) or a.port != b.port:
        return False
    if a.method != b.method and not a.method.startswith(b.method):
        return False
    if a.authority != b.authority and not a.authority.startswith(b.authority):
        return False
    return _maps_cover(a.headers, b.headers) and _maps_cover(a.query_params, b.query_params) and _maps_cover(
        a.without_headers, b.without_headers
    )


def _analyze_section(vs: Resource, section: str) -> Iterator[Diagnostic]:
    rules = as_list(vs.get("spec", section))
    seen: dict[str, int] = {}
    catch_all = -1
    prefixes: list[_PrefixMatch] = []
    for index, rule in enumerate(rules):
        if not isinstance(rule, dict):
            continue
        name = _rule_name(rule, index, section)
        matches = as_list(rule.get("match"))
        if not matches:
            if catch_all >= 0:
                yield messages.unreachable_rule(vs, ("spec", section, index), name, "only the last rule can have no matches")
            catch_all = index
            continue
        if catch_all >= 0:
            yield messages.unreachable_rule(vs, ("spec", section, index), name, "route without matches defined before")
            continue
        duplicates = 0
        for m, match in enumerate(matches):
            path = ("spec", section, index, "match", m)
            key = _match_key(match)
            if key in seen:
                first = seen[key]
                yield messages.ineffective_match(vs, path, name, _match_name(match, m, section), _rule_name(as_dict(rules[first]), first, section))
                duplicates += 1
                continue
            seen[key] = index
            if section == "http" and isinstance(match, dict):
                found = _prefix_match(match, name, _match_name(match, m, section), path)
                if found:
                    prefixes.append(found)
        if duplicates == len(matches):
            yield messages.unreachable_rule(vs, ("spec", section, index), name, "all matches used by prior rules")
    # Pairwise within one VirtualService's prefix matches, as istioctl does (small lists).
    for i, earlier in enumerate(prefixes):
        for later in prefixes[i + 1 :]:
            if later.prefix != earlier.prefix and _covers(earlier, later):
                yield messages.ineffective_match(
                    vs,
                    later.path,
                    later.rule,
                    f"{later.match} of prefix {later.prefix}",
                    f"{earlier.match} of prefix {earlier.prefix} on {earlier.rule}",
                )


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    for vs in ctx.of_kind("VirtualService"):
        for section in ("http", "tcp", "tls"):
            yield from _analyze_section(vs, section)
