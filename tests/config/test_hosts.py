"""Host comparison as istio/istio pkg/config/host/name.go defines it (Name.Matches, Name.SubsetOf)."""

import pytest
from istio_notebook.config.hosts import export_targets, fqdn, host_subset_of, hosts_overlap

# (a, b, a SubsetOf b, a Matches b): cases from the semantics of name.go.
CASES = [
    ("reviews.default.svc.cluster.local", "reviews.default.svc.cluster.local", True, True),
    ("reviews.default.svc.cluster.local", "ratings.default.svc.cluster.local", False, False),
    ("foo.example.com", "*.example.com", True, True),
    ("*.example.com", "foo.example.com", False, True),
    ("*.foo.example.com", "*.example.com", True, True),
    ("*.example.com", "*.foo.example.com", False, True),
    ("*.example.com", "*.example.org", False, False),
    ("example.com", "*.example.com", False, False),
    ("anything.at.all", "*", True, True),
    ("*", "*.example.com", False, True),
]


@pytest.mark.parametrize(("a", "b", "subset", "overlap"), CASES)
def test_subset_and_overlap_follow_istio_host_name(a: str, b: str, subset: bool, overlap: bool) -> None:
    assert host_subset_of(a, b) is subset
    assert hosts_overlap(a, b) is overlap
    assert hosts_overlap(b, a) is overlap  # Matches is symmetric


# pilot/pkg/model/config.go ResolveShortnameToFQDN: an empty name and any name starting with
# "*" (also "*foo", a valid wildcard label per validation's IsWildcardDNS1123Label) are returned
# as they are; only names without a dot get the namespace and cluster domain.
@pytest.mark.parametrize(
    ("host", "expanded"),
    [
        ("reviews", "reviews.ns.svc.cluster.local"),
        ("reviews.other", "reviews.other"),
        ("*", "*"),
        ("*.example.com", "*.example.com"),
        ("*foo", "*foo"),
        ("", ""),
    ],
)
def test_to_fqdn_expands_only_short_names(host: str, expanded: str) -> None:
    assert fqdn(host, "ns") == expanded


def test_export_targets_reads_lists_and_the_comma_separated_annotation() -> None:
    assert export_targets([".", "other", "."]) == (".", "other")
    assert export_targets(" ., other ") == (".", "other")  # networking.istio.io/exportTo on a Service
    assert export_targets([]) is None
    assert export_targets(None) is None
    assert export_targets(" , ") is None
