"""Helpers for routing tests: build a mesh from fixture files plus inline YAML, route a request."""

from __future__ import annotations

from pathlib import Path

from istio_notebook.config import Mesh, Origin, load_paths, load_text
from istio_notebook.routing import Proxy, Request, route

FIXTURES = Path(__file__).parent / "fixtures"


def make_mesh(*yaml_texts: str, fixtures: tuple[str, ...] = ("bookinfo", "gateways", "httpbin")) -> Mesh:
    loaded = load_paths([FIXTURES / f"{name}.yaml" for name in fixtures])
    assert not loaded.diagnostics, loaded.diagnostics
    resources = list(loaded.resources)
    for index, text in enumerate(yaml_texts):
        extra = load_text(text, Origin(f"<inline {index}>"), first_order=len(resources))
        assert not extra.diagnostics, extra.diagnostics
        resources.extend(extra.resources)
    return Mesh(resources)


def send(mesh: Mesh, line: str, *headers: str, via: str | None = None, source: str | None = None) -> dict:
    proxy = Proxy.parse_gateway(via) if via else Proxy.parse_from(source)
    return route(mesh, Request.parse(line, list(headers)), proxy, lang="en").to_json()


def clusters(outcome: dict) -> list[tuple[str, float]]:
    return [(d["cluster"], d["weight"]) for d in outcome["destinations"]]
