"""Typed models of the modelled kinds (pydantic v2, protobuf JSON field names, unknown fields refused).

``parse_model(resource)`` decodes a resource; ``SPECS`` maps (group, kind) to its spec model;
``registry.adapter(group, kind)`` is the cached TypeAdapter of a whole document of that kind, and
``error_path`` / ``describe`` turn one of its pydantic errors into a field path and istioctl-like text.
The Istio spec modules are generated from istio/api (see ``generate.py``); ``kubernetes`` and
``istio_operator`` are written by hand.
"""

from istio_notebook.config.models.parse import describe, error_path, field_path, parse_model
from istio_notebook.config.models.registry import SPECS, Document, document_model

__all__ = ["SPECS", "Document", "describe", "document_model", "error_path", "field_path", "parse_model"]
