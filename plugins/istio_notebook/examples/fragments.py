"""``fragment="Kind:field.path"``: check a partial snippet against the schema at that path.

The fragment is wrapped into a minimal document of that kind (the snippet placed at the path)
and decoded with the kind's typed model; only errors inside the fragment count (a wrapped
DestinationRule has no ``host``, which is not the fragment's fault). Positions map back to the
snippet's own lines.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from istio_notebook.config import Origin
from istio_notebook.config.kinds import MODELLED
from istio_notebook.config.models.parse import _describe, field_path  # one wording for schema errors
from istio_notebook.config.models.registry import adapter
from istio_notebook.config.yaml_reader import read_documents
from istio_notebook.diagnostics import Diagnostic, report
from istio_notebook.examples.model import FragmentTarget

_KEY_MARK = "[key]"


def _wrap(target: FragmentTarget, value: Any) -> tuple[dict, tuple]:
    """The minimal document holding ``value`` at the target path, and the fragment's own loc prefix."""
    path = list(target.path)
    # "spec.http[]" holds one item; a snippet that is itself a list holds several items.
    if path and path[-1] == 0 and isinstance(value, list):
        path = path[:-1]
    info = next(i for i in MODELLED if i.kind == target.kind)
    document: dict = {"apiVersion": info.api_versions[0], "kind": info.kind, "metadata": {"name": "fragment"}}
    holder: Any = document
    for step, following in zip(path, path[1:] + [None]):
        if following is None:
            break
        child: Any = [] if isinstance(following, int) else {}
        if isinstance(holder, dict):
            holder = holder.setdefault(step, child)
        else:
            holder.append(child)
            holder = holder[0]
    last = path[-1]
    if isinstance(holder, list):
        holder.append(value)
    else:
        holder[last] = value
    return document, tuple(path)


def check_fragment(body: str, origin: Origin, target: FragmentTarget, label: str) -> list[Diagnostic]:
    """Load errors (INB1xxx) or schema errors (IST0106) of a fragment, at the snippet's lines."""
    documents, problems = read_documents(body, origin)
    if problems:
        return problems
    if len(documents) != 1:
        return [report("INB3002", origin.position(None), value=target.text, detail="a fragment is exactly one YAML document")]
    document = documents[0]
    info = next(i for i in MODELLED if i.kind == target.kind)
    model = adapter(info.group, info.kind)
    if model is None:
        return []
    wrapped, prefix = _wrap(target, document.data)
    try:
        model.validate_python(wrapped)
    except ValidationError as failure:
        found = []
        for error in failure.errors(include_url=False):
            loc = tuple(step for step in error["loc"] if step != _KEY_MARK)
            if error["type"] == "oneof":
                loc = loc + (error["ctx"]["field"],)
            if loc[: len(prefix)] != prefix:
                continue
            inner = loc[len(prefix):]
            position = document.locate(*inner)
            found.append(report("IST0106", position, origin=label, detail=f"{field_path(loc)}: {_describe(error)}"))
        return found
    return []
