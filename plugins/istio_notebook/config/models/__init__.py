"""Typed models of the modelled kinds (pydantic v2, protobuf JSON field names, unknown fields refused).

``parse_model(resource)`` decodes a resource; ``SPECS`` maps (group, kind) to its spec model.
The Istio spec modules are generated from istio/api (see ``generate.py``); ``kubernetes`` and
``istio_operator`` are written by hand.
"""

from istio_notebook.config.models.parse import field_path, parse_model
from istio_notebook.config.models.registry import SPECS, Document, document_model

__all__ = ["SPECS", "Document", "document_model", "field_path", "parse_model"]
