"""Diagnostics: one catalogue of codes, one record type, output formats.

Every problem the project reports — a YAML file that does not parse, a field the schema
rejects, a route to a subset nobody defined — is a :class:`Diagnostic` built from an entry of
``messages.yaml``. Callers never format message text themselves; they call
:func:`report` with the code and the template's arguments, so codes, levels and wording stay
in one place (as istio/istio's ``pkg/config/analysis/msg/messages.yaml`` does).
"""

from istio_notebook.diagnostics.catalogue import CATALOGUE, Message, Level, message
from istio_notebook.diagnostics.record import Diagnostic, Position, report, sort_key

__all__ = ["CATALOGUE", "Diagnostic", "Level", "Message", "Position", "message", "report", "sort_key"]
