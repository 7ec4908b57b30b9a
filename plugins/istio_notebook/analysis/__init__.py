"""Validation and analyzers over a loaded mesh (one analyzer per module, one registry)."""

from __future__ import annotations

from istio_notebook.config import Mesh
from istio_notebook.diagnostics import Diagnostic


def analyze(mesh: Mesh) -> list[Diagnostic]:
    """Schema validation (IST0106) and every registered analyzer over ``mesh``."""
    return []
