"""The Gateway API model generator: each shared CRD schema once (in common.py), only used imports.

The CRDs inline Gateway API's Go types (ParentReference, HTTPHeaderFilter, ...) in every kind and
place that uses them (kubernetes-sigs/gateway-api v1.5.1 config/crd/experimental); the generator
must write each distinct object schema once. The first tests run the generator on small made-up
schemas; the last ones read the committed modules, which the generator wrote from the v1.5.1 CRDs.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from istio_notebook.config.models import gateway_api_names
from istio_notebook.config.models.generate_gateway_api import generate

MODELS = Path(__file__).resolve().parents[2] / "plugins" / "istio_notebook" / "config" / "models" / "gateway_api"
GENERATED = ["common", "gateway", "gateway_class", "grpc_route", "http_route", "reference_grant", "tcp_route", "tls_route"]

PARENT = {
    "type": "object",
    "required": ["name"],
    "properties": {"name": {"type": "string", "minLength": 1}, "port": {"type": "integer", "minimum": 1, "maximum": 65535}},
}


def _route(extra: dict) -> dict:
    return {"type": "object", "properties": {"parentRefs": {"type": "array", "items": PARENT}, **extra}}


def _classes(source: str) -> dict[str, str]:
    tree = ast.parse(source)
    return {node.name: ast.unparse(node) for node in tree.body if isinstance(node, ast.ClassDef)}


def test_a_schema_two_kinds_share_is_written_once_in_common(monkeypatch) -> None:
    monkeypatch.setitem(gateway_api_names.NAMES, "TLSRouteSpecParentRefs", "ParentReference")
    out = generate({"TLSRoute": _route({}), "TCPRoute": _route({"extra": {"type": "boolean"}})})
    assert list(_classes(out["common"])) == ["ParentReference"]
    assert list(_classes(out["tls_route"])) == ["TLSRouteSpec"]
    assert list(_classes(out["tcp_route"])) == ["TCPRouteSpec"]
    assert "from istio_notebook.config.models.gateway_api.common import ParentReference" in out["tcp_route"]
    assert "parentRefs: list[ParentReference] | None = None" in out["tcp_route"]


def test_a_schema_used_in_one_place_keeps_its_path_name_in_its_kind() -> None:
    out = generate({"TLSRoute": _route({})})
    assert list(_classes(out["tls_route"])) == ["TLSRouteSpecParentRefs", "TLSRouteSpec"]
    assert _classes(out["common"]) == {}


def test_two_places_of_one_kind_with_one_shape_share_a_class(monkeypatch) -> None:
    monkeypatch.setitem(gateway_api_names.NAMES, "TLSRouteSpecParentRefs", "ParentReference")
    out = generate({"TLSRoute": _route({"backendRefs": {"type": "array", "items": PARENT}})})
    assert list(_classes(out["common"])) == ["ParentReference"]
    assert "backendRefs: list[ParentReference] | None = None" in out["tls_route"]


def test_a_shared_schema_without_a_go_name_stops_the_generator() -> None:
    with pytest.raises(ValueError, match="TLSRouteSpecParentRefs.*TCPRouteSpecParentRefs"):
        generate({"TLSRoute": _route({}), "TCPRoute": _route({})})


def test_schemas_that_differ_in_a_constraint_stay_two_classes() -> None:
    narrower = {**PARENT, "properties": {**PARENT["properties"], "name": {"type": "string", "maxLength": 3}}}
    out = generate({"TLSRoute": _route({}), "TCPRoute": {"type": "object", "properties": {"parentRefs": {"type": "array", "items": narrower}}}})
    assert "TLSRouteSpecParentRefs" in _classes(out["tls_route"])
    assert "TCPRouteSpecParentRefs" in _classes(out["tcp_route"])


def _unused_imports(source: str) -> list[str]:
    tree = ast.parse(source)
    imported = [alias.asname or alias.name for node in tree.body if isinstance(node, ast.ImportFrom) for alias in node.names]
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    return [name for name in imported if name not in used and name != "annotations"]


@pytest.mark.parametrize("module", GENERATED)
def test_committed_models_import_only_what_they_use(module: str) -> None:
    assert _unused_imports((MODELS / f"{module}.py").read_text()) == []


def test_generated_output_imports_only_what_it_uses(monkeypatch) -> None:
    monkeypatch.setitem(gateway_api_names.NAMES, "TLSRouteSpecParentRefs", "ParentReference")
    out = generate({"TLSRoute": _route({}), "TCPRoute": _route({"extra": {"type": "boolean"}})})
    assert {module: _unused_imports(source) for module, source in out.items()} == {m: [] for m in out}


def test_committed_models_hold_each_shape_once() -> None:
    """No two classes of the committed modules have the same body (D1-D6 of `duplicates` before the change)."""
    bodies: dict[str, str] = {}
    for module in GENERATED:
        for name, text in _classes((MODELS / f"{module}.py").read_text()).items():
            body = text.split("\n", 1)[1] if "\n" in text else ""
            assert body not in bodies, f"{module}.{name} repeats {bodies.get(body)}"
            bodies[body] = f"{module}.{name}"
    assert len(bodies) > 50  # the experimental channel's seven kinds, not an empty directory
