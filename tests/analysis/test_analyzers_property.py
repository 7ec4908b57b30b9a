"""Property: no analyzer raises on mutated resources (the schema may have rejected them).

Analyzers read plain dicts, so any field may hold any YAML value. Starting from the fixture
resources, hypothesis replaces values at random field paths with arbitrary YAML values, and
every registered analyzer must still finish without an internal error (IST0001).
"""

from __future__ import annotations

import copy
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from istio_notebook.analysis import run_analyzers
from istio_notebook.config import Mesh, Origin, load_paths, load_text

TESTDATA = Path(__file__).parent / "testdata"
BODIES = [r.body for r in load_paths(sorted(TESTDATA.glob("*.yaml"))).resources]

YAML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 100_000) | st.text(max_size=6) | st.sampled_from(["*", "mesh", "a/b", "v1"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)


def field_paths(value, prefix=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield prefix + (key,)
            yield from field_paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield prefix + (index,)
            yield from field_paths(item, prefix + (index,))


def replace_at(body, path, value):
    target = body
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value


@settings(max_examples=250, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_analyzers_survive_mutated_resources(data):
    chosen = data.draw(st.lists(st.sampled_from(BODIES), min_size=1, max_size=5))
    documents = []
    for original in chosen:
        body = copy.deepcopy(original)
        for _ in range(data.draw(st.integers(1, 4))):
            paths = [p for p in field_paths(body) if p[:2] != ("metadata", "name") and p[0] not in ("apiVersion", "kind")]
            if not paths:
                break
            replace_at(body, data.draw(st.sampled_from(paths)), data.draw(YAML_VALUES))
        documents.append(body)
    text = "---\n".join(yaml.safe_dump(b, sort_keys=False) for b in documents)
    mesh = Mesh(load_text(text, Origin("mutated.yaml")).resources)
    failures = [str(d) for d in run_analyzers(mesh) if d.code == "IST0001"]
    assert failures == []
