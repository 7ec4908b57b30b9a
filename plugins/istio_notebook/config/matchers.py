"""Typed string matchers: one class per match kind, as Envoy has one class per matcher.

Each class owns how it matches a value, its name in the trace (``kind``), its Envoy forms (a
StringMatcher, a route's path specifier, an RBAC path permission) and what istioctl's overlap
check reads of it. The route table, the simulator, the Envoy translation, the AuthorizationPolicy
evaluator and the analyzers all hold these objects and ask them; none branches on a kind string.

A new match kind is one class here plus its factory line (``from_istio``, ``authz_value``);
see docs/contributing/architecture.md ("新しいマッチの種類").
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, ClassVar

from istio_notebook.config.regex import Regex as CompiledRegex
from istio_notebook.config.regex import RegexError, compile_regex


def compiled(pattern: str) -> CompiledRegex | None:
    """The RE2 pattern, or None when it does not compile (the validator reports it; nothing matches)."""
    try:
        return compile_regex(pattern)
    except RegexError:
        return None


def regex_full_match(pattern: str, value: str) -> bool:
    regex = compiled(pattern)
    return regex is not None and regex.fullmatch(value)


@dataclass(frozen=True)
class Matcher:
    """Envoy StringMatcher. ``kind`` names the class in traces and JSON (exact, prefix, ...)."""

    value: str = ""
    ignore_case: bool = False
    kind: ClassVar[str] = ""
    presence: ClassVar[bool] = False  # Envoy's present_match: any value, only the header must be there
    swaps_prefix: ClassVar[bool] = False  # a prefix_rewrite swaps the matched prefix (else the whole path)

    def matches(self, value: str) -> bool:
        raise NotImplementedError

    def _folded(self, value: str) -> tuple[str, str]:
        return (self.value.lower(), value.lower()) if self.ignore_case else (self.value, value)

    @property
    def matches_everything(self) -> bool:
        """Istio's IsCatchAllRoute path test (route.go): prefix or path_separated_prefix "/", regex ".*"."""
        return False

    def envoy(self) -> dict:
        """Envoy type.matcher.v3.StringMatcher."""
        out: dict[str, Any] = {self.kind: self.value}
        if self.ignore_case:
            out["ignore_case"] = True
        return out

    def envoy_path(self) -> dict:
        """Envoy config.route.v3.RouteMatch path specifier (case_sensitive false for ignoreUriCase)."""
        out: dict[str, Any] = {self.kind: self.value}
        if self.ignore_case:
            out["case_sensitive"] = False
        return out

    def envoy_permission(self) -> dict:
        """Envoy RBAC Permission on the request path (istiod's permissionPath: url_path)."""
        return {"url_path": {"path": self.envoy()}}

    def overlap_key(self) -> str:
        """istioctl's assignExactOrPrefix (validation.go): "exact:v", "prefix:v", else ""."""
        return ""

    def describe(self) -> str:
        """A few words for diagrams: ``prefix /api``."""
        return f"{self.kind} {self.value}"


@dataclass(frozen=True)
class Exact(Matcher):
    kind: ClassVar[str] = "exact"

    def matches(self, value: str) -> bool:
        expected, actual = self._folded(value)
        return actual == expected

    def envoy_path(self) -> dict:
        out: dict[str, Any] = {"path": self.value}
        if self.ignore_case:
            out["case_sensitive"] = False
        return out

    def overlap_key(self) -> str:
        return f"exact:{self.value}" if self.value else ""


@dataclass(frozen=True)
class Prefix(Matcher):
    kind: ClassVar[str] = "prefix"
    swaps_prefix: ClassVar[bool] = True

    def matches(self, value: str) -> bool:
        expected, actual = self._folded(value)
        return actual.startswith(expected)

    @property
    def matches_everything(self) -> bool:
        return self.value == "/"

    def overlap_key(self) -> str:
        return f"prefix:{self.value}" if self.value else ""


@dataclass(frozen=True)
class SegmentPrefix(Matcher):
    """Envoy's path_separated_prefix: the path is the prefix or goes on with "/" (Gateway API PathPrefix)."""

    kind: ClassVar[str] = "path_separated_prefix"
    swaps_prefix: ClassVar[bool] = True

    def matches(self, value: str) -> bool:
        expected, actual = self._folded(value)
        return actual == expected or actual.startswith(expected + "/")

    @property
    def matches_everything(self) -> bool:
        return self.value == "/"


@dataclass(frozen=True)
class Suffix(Matcher):
    """AuthorizationPolicy's ``*abc`` (istiod's StringMatcher: suffix)."""

    kind: ClassVar[str] = "suffix"

    def matches(self, value: str) -> bool:
        expected, actual = self._folded(value)
        return actual.endswith(expected)


@dataclass(frozen=True)
class Regex(Matcher):
    """RE2, full match (Envoy safe_regex); never case-folded."""

    kind: ClassVar[str] = "regex"

    def matches(self, value: str) -> bool:
        return regex_full_match(self.value, value)

    @property
    def matches_everything(self) -> bool:
        return self.value == ".*"

    def envoy(self) -> dict:
        return {"safe_regex": {"regex": self.value}}

    def envoy_path(self) -> dict:
        return self.envoy()


@dataclass(frozen=True)
class Present(Matcher):
    """Istio's ``{}`` (and regex "*", prefix ""): the header or parameter is there, any value."""

    kind: ClassVar[str] = "present"
    presence: ClassVar[bool] = True

    def matches(self, value: str) -> bool:
        return True

    def describe(self) -> str:
        return self.kind


# What Envoy's `*` / `**` globs match in a segment: RFC 3986 pchar
# (source/extensions/path/uri_template_lib/uri_template_internal.cc, kLiteral, which adds "=")
# plus "*", which Envoy 1.40 from the wheel matches too (tests/envoy/test_authz_path_templates.py).
# Characters outside pchar such as "^" or "{" arrive percent-encoded (routing/request.py).
_PCHAR = r"a-zA-Z0-9\-._~%!$&'()+,;:@=*"
_TEMPLATES = ("{*}", "{**}")  # pkg/config/security/security.go MatchOneTemplate, MatchAnyTemplate
_LITERAL_QUOTE = re.compile(r"[$()+.]")


@dataclass(frozen=True)
class PathTemplate(Matcher):
    """AuthorizationPolicy path template (Istio 1.30): ``{*}`` one path segment, ``{**}`` any
    number of segments, as Envoy's uri_template matcher (``*`` / ``**``) does them: an RE2 full
    match of the path without its query, ``*`` = one or more literal characters, ``**`` = zero
    or more literal characters or "/"."""

    kind: ClassVar[str] = "path_template"

    @property
    def template(self) -> str:
        """istiod's sanitizePathTemplate (authz/matcher/template.go): {*} → *, {**} → **."""
        return self.value.replace("{**}", "**").replace("{*}", "*")

    def matches(self, value: str) -> bool:
        return regex_full_match(_template_regex(self.template), value.partition("?")[0].partition("#")[0])

    def envoy_permission(self) -> dict:
        """istiod's permissionPathTemplate (authz/model/permission.go): an RBAC uri_template rule."""
        return {"uri_template": {"name": "uri-template", "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.path.match.uri_template.v3.UriTemplateMatchConfig",
            "path_template": self.template,
        }}}


@functools.lru_cache(maxsize=1024)
def _template_regex(template: str) -> str:
    """Envoy's convertPathPatternSyntaxToRegex for whole-segment operators (Istio's validation
    allows no others): "/" + the segments joined by "/", literals with $ ( ) + . quoted."""
    globs = {"*": f"[{_PCHAR}]+", "**": f"[{_PCHAR}/]*"}
    segments = template.removeprefix("/").split("/")
    return "/" + "/".join(globs.get(s) or _LITERAL_QUOTE.sub(r"\\\g<0>", s) for s in segments)


def authz_path(value: object) -> Matcher:
    """An AuthorizationPolicy ``paths`` value: a template when it holds ``{*}`` or ``{**}``
    (istiod's pathGenerator, authz/model/generator.go), else an ordinary value."""
    text = str(value)
    return PathTemplate(text) if any(t in text for t in _TEMPLATES) else authz_value(text)


# Istio StringMatch's oneof fields, in the order the factory tries them.
_ISTIO_KINDS: dict[str, type[Matcher]] = {"exact": Exact, "prefix": Prefix, "regex": Regex}


def from_istio(spec: Any, *, ignore_case: bool = False) -> Matcher | None:
    """Istio StringMatch {exact|prefix|regex} → Matcher; {} (or regex "*", prefix "") is presence.
    None for what is not a StringMatch (the validator reports it)."""
    if not isinstance(spec, dict):
        return None
    for field, cls in _ISTIO_KINDS.items():
        if field in spec:
            value = spec[field]
            if not isinstance(value, str):
                return None
            if (cls is Regex and value == "*") or (cls is Prefix and value == ""):
                return Present()
            return cls(value, ignore_case and cls is not Regex)
    return Present() if not spec else None


def authz_value(value: object, *, ignore_case: bool = False) -> Matcher:
    """An AuthorizationPolicy value (istiod's matcher.StringMatcher, string.go): ``*`` any
    non-empty value (regex ".+"), ``*abc`` suffix, ``abc*`` prefix, else exact."""
    text = str(value)
    if text == "*":
        return Regex(".+")
    if text.startswith("*"):
        return Suffix(text[1:], ignore_case)
    if text.endswith("*"):
        return Prefix(text[:-1], ignore_case)
    return Exact(text, ignore_case)
