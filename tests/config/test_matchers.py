"""Typed matchers (config/matchers.py): one class per match kind, each with its match rule and Envoy forms.

Sources: Envoy type.matcher.v3.StringMatcher (exact, prefix, suffix, safe_regex: RE2 full match,
ignore_case not for safe_regex) and config.route.v3.RouteMatch (path, prefix,
path_separated_prefix, safe_regex, case_sensitive); istio/istio 1.30.3
pilot/pkg/networking/core/route/route.go (canBeConvertedToPresentMatch: an unset StringMatch or
regex "*" is present_match; IsCatchAllRoute), pilot/pkg/security/authz/matcher/string.go
(StringMatcher: "*" → safe_regex ".+", "*abc" suffix, "abc*" prefix, else exact) and
pkg/config/validation/validation.go (assignExactOrPrefix for the overlap check).
"""

from __future__ import annotations

import pytest

from istio_notebook.config.matchers import (
    Exact,
    Prefix,
    Present,
    Regex,
    SegmentPrefix,
    Suffix,
    authz_value,
    from_istio,
)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"exact": "/a"}, Exact("/a")),
        ({"prefix": "/a"}, Prefix("/a")),
        ({"regex": "/a.*"}, Regex("/a.*")),
        ({}, Present()),  # route.go: MatchType nil → present_match
        ({"regex": "*"}, Present()),  # route.go: regex "*" is present_match, not RE2
        ({"exact": 3}, None),
        ("exact", None),
    ],
)
def test_istio_string_match_becomes_one_matcher_class(spec, expected) -> None:
    assert from_istio(spec) == expected


def test_ignore_uri_case_folds_exact_and_prefix_but_never_a_regex() -> None:
    # Envoy: RouteMatch.case_sensitive applies to path/prefix; safe_regex has no case option.
    assert from_istio({"prefix": "/A"}, ignore_case=True) == Prefix("/A", True)
    assert from_istio({"regex": "/A"}, ignore_case=True) == Regex("/A", False)


@pytest.mark.parametrize(
    ("matcher", "value", "expected"),
    [
        (Exact("/a"), "/a", True),
        (Exact("/a"), "/A", False),
        (Exact("/a", True), "/A", True),
        (Prefix("/a"), "/ab", True),
        (SegmentPrefix("/a"), "/ab", False),  # path_separated_prefix: whole segments only
        (SegmentPrefix("/a"), "/a/b", True),
        (SegmentPrefix("/a"), "/a", True),
        (Suffix(".png"), "/x.png", True),
        (Regex("/a[0-9]"), "/a1", True),
        (Regex("/a[0-9]"), "/a12", False),  # RE2 full match
        (Present(), "", True),
    ],
)
def test_each_class_owns_its_match_rule(matcher, value, expected) -> None:
    assert matcher.matches(value) is expected


def test_envoy_forms_of_string_matcher_and_path_specifier() -> None:
    assert Exact("jason").envoy() == {"exact": "jason"}
    assert Suffix("x", True).envoy() == {"suffix": "x", "ignore_case": True}
    assert Regex("a.*").envoy() == {"safe_regex": {"regex": "a.*"}}
    assert Exact("/a", True).envoy_path() == {"path": "/a", "case_sensitive": False}
    assert Prefix("/a").envoy_path() == {"prefix": "/a"}
    assert SegmentPrefix("/a").envoy_path() == {"path_separated_prefix": "/a"}
    assert Regex("/a.*").envoy_path() == {"safe_regex": {"regex": "/a.*"}}


def test_catch_all_paths_are_those_of_istios_is_catch_all_route() -> None:
    assert Prefix("/").matches_everything and Regex(".*").matches_everything
    assert not Prefix("/a").matches_everything and not Exact("/").matches_everything


def test_prefix_rewrite_swaps_the_prefix_only_for_prefix_kinds() -> None:
    # Envoy RouteAction.prefix_rewrite: "the matched prefix (or path) should be swapped with this value".
    assert Prefix("/a").swaps_prefix and SegmentPrefix("/a").swaps_prefix
    assert not Exact("/a").swaps_prefix and not Regex("/a").swaps_prefix


@pytest.mark.parametrize(
    ("value", "expected"),
    [("*", Regex(".+")), ("*.png", Suffix(".png")), ("/api/*", Prefix("/api/")), ("/api", Exact("/api"))],
)
def test_authorization_policy_values_follow_istiods_string_matcher(value, expected) -> None:
    assert authz_value(value) == expected


def test_authorization_any_value_needs_a_non_empty_value() -> None:
    assert not authz_value("*").matches("") and authz_value("*").matches("x")


def test_overlap_key_is_istioctls_exact_or_prefix() -> None:
    assert (Exact("GET").overlap_key(), Prefix("G").overlap_key()) == ("exact:GET", "prefix:G")
    assert Regex("G.*").overlap_key() == "" and Present().overlap_key() == ""
