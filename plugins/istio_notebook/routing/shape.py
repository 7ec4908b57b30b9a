"""Re-exported for the routing and authz modules: the defensive readers live in config/shape.py."""

from __future__ import annotations

from istio_notebook.config.shape import items, mapping

__all__ = ["items", "mapping"]
