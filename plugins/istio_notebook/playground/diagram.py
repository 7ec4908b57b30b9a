"""The playground's diagram of a route outcome: the Mermaid flowchart the site draws for the
VirtualService that decided it (markdown/mermaid.py, the same source), with the rule the request
took and its destinations marked. None when no VirtualService of the files decided the outcome
(no route, a Gateway API route: istiod's generated VirtualService is not in the files)."""

from __future__ import annotations

from istio_notebook.config import Origin, load_text
from istio_notebook.markdown.mermaid import virtual_service_diagram


def outcome_diagram(files: dict[str, str], outcome: dict, namespace: str = "default") -> str | None:
    """``files``: name → YAML text as the command read them; ``outcome``: its route JSON."""
    decided = outcome.get("virtual_service")
    if not decided or outcome.get("route_index") is None:
        return None
    for name, text in files.items():
        for resource in load_text(text, Origin(name), namespace=namespace).resources:
            if resource.kind == "VirtualService" and f"{resource.namespace}/{resource.name}" == decided:
                return virtual_service_diagram(resource, (outcome["route_index"], outcome.get("match_index")))
    return None
