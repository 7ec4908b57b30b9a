"""IST0151 to IST0155: EnvoyFilter patch operations that Istio ignores or may apply out of order.

As istioctl's ``envoyfilter.EnvoyPatchAnalyzer`` (pkg/config/analysis/analyzers/envoyfilter/
envoyfilter.go, tag 1.30.3), for each ``spec.configPatches[i]`` in order (a patch without
``patch`` ends the EnvoyFilter's list, as there):
- ``ADD`` or ``REMOVE`` with applyTo ``ROUTE_CONFIGURATION`` or ``HTTP_ROUTE``: IST0153 / IST0154
  (Error: Istio ignores them there);
- ``REPLACE`` with applyTo other than ``NETWORK_FILTER``, ``HTTP_FILTER``, ``VIRTUAL_HOST``: IST0152;
- a relative operation (``INSERT_BEFORE``, ``INSERT_AFTER``, and ``REPLACE`` / ``REMOVE`` where they
  are allowed) in an EnvoyFilter without ``priority``: IST0151, or IST0155 when an earlier patch
  with ``match.proxy.proxyVersion`` patched the same name (then an upgrade can reorder them).
The name of a patch is its ``patch.value.name``, else its ``match.listener.filterChain.filter.name``
(istioctl compares the first as protobuf text and the second as plain text, so a value name never
equals a filter name; we keep them apart the same way). Messages point at ``patch.value``, else
at the patch. EnvoyFilters are visited in input order (istioctl: its collection's order).
"""

from __future__ import annotations

from collections.abc import Iterator

from istio_notebook.analysis import messages
from istio_notebook.analysis.context import Context, Metadata
from istio_notebook.analysis.util import as_dict, as_list
from istio_notebook.config import Resource
from istio_notebook.diagnostics import Diagnostic

METADATA = Metadata(
    name="envoyfilter.EnvoyPatchAnalyzer",
    description="Checks that EnvoyFilter patch operations fit their applyTo and are ordered by priority",
    inputs=("EnvoyFilter",),
)

ROUTE_LEVEL = ("ROUTE_CONFIGURATION", "HTTP_ROUTE")
REPLACEABLE = ("NETWORK_FILTER", "HTTP_FILTER", "VIRTUAL_HOST")
INSERTS = ("INSERT_BEFORE", "INSERT_AFTER")

PatchName = tuple[str, str]  # ("value", name) or ("filter", name) or ("", "")


def patch_name(patch: dict) -> PatchName:
    value = as_dict(patch.get("patch")).get("value")
    if not isinstance(value, dict) or not value:
        return ("", "")
    if "name" in value:
        return ("value", repr(value["name"]))
    filter_name = as_dict(as_dict(as_dict(patch.get("match")).get("listener")).get("filterChain")).get("filter")
    return ("filter", str(as_dict(filter_name).get("name") or ""))


def _relative(envoy_filter: Resource, path: tuple, name: PatchName, versioned: list[PatchName]) -> Iterator[Diagnostic]:
    if envoy_filter.get("spec", "priority") in (None, 0):
        if name in versioned:
            yield messages.envoy_filter_relative_operation_with_proxy_version(envoy_filter, path)
        else:
            yield messages.envoy_filter_relative_operation(envoy_filter, path)


def _patch(envoy_filter: Resource, index: int, patch: dict, versioned: list[PatchName]) -> Iterator[Diagnostic]:
    body = as_dict(patch.get("patch"))
    operation, apply_to = body.get("operation"), patch.get("applyTo")
    at = ("spec", "configPatches", index)
    path = at + ("patch", "value") if "value" in body else at
    name = patch_name(patch)
    if operation == "ADD" and apply_to in ROUTE_LEVEL:
        yield messages.envoy_filter_add_incorrectly(envoy_filter, path)
    elif operation == "REMOVE" and apply_to in ROUTE_LEVEL:
        yield messages.envoy_filter_remove_incorrectly(envoy_filter, path)
    elif operation == "REPLACE" and apply_to not in REPLACEABLE:
        yield messages.envoy_filter_replace_incorrectly(envoy_filter, path)
    elif operation in ("REMOVE", "REPLACE") or operation in INSERTS:
        yield from _relative(envoy_filter, path, name, versioned)


def analyze(ctx: Context) -> Iterator[Diagnostic]:
    versioned: list[PatchName] = []  # names patched with match.proxy.proxyVersion so far
    for envoy_filter in ctx.of_kind("EnvoyFilter"):
        for index, patch in enumerate(as_list(envoy_filter.get("spec", "configPatches"))):
            if not isinstance(patch, dict) or patch.get("patch") is None:
                break
            yield from _patch(envoy_filter, index, patch, versioned)
            if as_dict(as_dict(patch.get("match")).get("proxy")).get("proxyVersion"):
                versioned.append(patch_name(patch))
