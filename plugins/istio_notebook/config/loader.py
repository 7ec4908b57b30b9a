"""Read YAML files, directories and the ```yaml fences of Markdown into resources.

Every problem becomes a diagnostic with file:line; nothing here raises for bad input.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from istio_notebook.config.json_text import read_json_or_yaml
from istio_notebook.config.kinds import is_read_only, lookup, served_versions
from istio_notebook.config.listing import unpack_lists
from istio_notebook.config.markdown import yaml_fences
from istio_notebook.config.resource import DEFAULT_NAMESPACE, Resource
from istio_notebook.config.source import (  # noqa: F401 (re-exported)
    MAX_FILE_BYTES,
    STDIN_NAME,
    decode,
    read_stdin,
    read_text,
)
from istio_notebook.config.ignored import IgnoreRules
from istio_notebook.config.yaml_reader import Origin, YamlDocument, gc_paused
from istio_notebook.diagnostics import Diagnostic, Position, report

# Codes meaning "this input could not be read at all" (missing, unreadable, too large, binary, not
# UTF-8): for the command line, unusable input (exit 2) rather than a finding about the config.
UNREADABLE_CODES = frozenset({"INB1008", "INB1009", "INB1011", "INB1012", "INB1017", "INB1019"})
# Resources one run reads at most (every file, List items included): about 3 kB each at peak
# (benchmarks/hostile.py: 200,000 small Services, 741 MB), so a run stays under 1 GB.
RESOURCE_LIMIT = 200_000
# From this many resources a load_paths() batch keeps its result out of the cyclic GC (gc_paused).
LARGE_INPUT = 1000
YAML_SUFFIXES = (".yaml", ".yml", ".json")  # as `kubectl apply -f DIR` reads
MARKDOWN_SUFFIXES = (".md", ".markdown")


@dataclass
class LoadResult:
    resources: list[Resource] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def extend(self, other: "LoadResult") -> None:
        self.resources.extend(other.resources)
        self.diagnostics.extend(other.diagnostics)

    @property
    def unreadable(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.code in UNREADABLE_CODES]


def resources_from_documents(
    documents: Iterable[YamlDocument], first_order: int = 0, *, namespace: str = DEFAULT_NAMESPACE
) -> LoadResult:
    """Turn parsed documents into resources (or diagnostics for what is not a resource).

    ``namespace`` is where a namespaced resource without ``metadata.namespace`` lives (kubectl's
    ``--namespace``, else ``default``). ``kind: List`` documents count as their items.
    """
    result = LoadResult()
    order = first_order
    for doc in unpack_lists(documents):
        resource, problems = _to_resource(doc, order, namespace)
        result.diagnostics.extend(problems)
        # Problems found while reading the document now name the resource it turned out to be.
        origin = resource.origin if resource is not None else ""
        result.diagnostics.extend(replace(d, origin=d.origin or origin) for d in doc.diagnostics)
        if resource is not None:
            result.resources.append(resource)
            order += 1
    return result


def _to_resource(doc: YamlDocument, order: int, default_namespace: str) -> tuple[Resource | None, list[Diagnostic]]:
    data = doc.data
    if not isinstance(data, dict):
        found = {list: "list", str: "string", int: "number", float: "number", bool: "boolean"}.get(type(data), "scalar")
        return None, [report("INB1005", doc.position, found=found)]
    api_version = data.get("apiVersion")
    kind = data.get("kind")
    for name, value in (("apiVersion", api_version), ("kind", kind)):
        if not isinstance(value, str) or not value:
            return None, [report("INB1006", doc.locate(name), field=name)]
    if kind == "List" and api_version == "v1" and isinstance(data.get("items"), list):
        return None, [report("INB1014", doc.position, kind="List")]
    metadata = data.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    info = lookup(api_version, kind)
    if info is None and (expected := served_versions(api_version, kind)):
        return None, [report("INB1015", doc.locate("apiVersion"), kind=kind, api_version=api_version, expected=" or ".join(expected))]
    if info is None:
        code = "INB1014" if is_read_only(api_version, kind) else "INB1007"
        return None, [report(code, doc.locate("kind"), kind=kind, api_version=api_version)]
    if not isinstance(name, str) or not name:
        return None, [report("INB1006", doc.locate("metadata", "name"), field="metadata.name")]
    namespace = ""
    if info.namespaced:
        ns = metadata.get("namespace") if isinstance(metadata, dict) else None
        namespace = ns if isinstance(ns, str) and ns else default_namespace
    resource = Resource(
        document=doc, info=info, api_version=api_version, kind=kind, name=name, namespace=namespace, order=order
    )
    return resource, []


def load_text(text: str, origin: Origin, first_order: int = 0, *, namespace: str = DEFAULT_NAMESPACE) -> LoadResult:
    """YAML or JSON text (json_text.read_json_or_yaml) → resources.

    ``first_order`` is also how many resources the run has read before: what is left of
    RESOURCE_LIMIT is how many documents this text may hold (INB1019 beyond)."""
    documents, diagnostics = read_json_or_yaml(text, origin, max(RESOURCE_LIMIT - first_order, 0), run_limit=RESOURCE_LIMIT)
    result = resources_from_documents(documents, first_order, namespace=namespace)
    result.diagnostics[:0] = diagnostics
    if not documents and not diagnostics:
        result.diagnostics.append(report("INB1010", origin.position(None)))
    return result


def load_markdown(text: str, file: str, first_order: int = 0, *, namespace: str = DEFAULT_NAMESPACE) -> LoadResult:
    """All ```yaml fences of a Markdown file, as plain resources (no example syntax)."""
    result = LoadResult()
    for fence in yaml_fences(text):
        origin = Origin(file, line_offset=fence.body_line - 1, column_offset=fence.indent)
        result.extend(load_text(fence.body, origin, first_order + len(result.resources), namespace=namespace))
    return result


def iter_input_files(path: Path) -> Iterable[Path]:
    """A directory's YAML and Markdown files, sorted, skipping hidden and build folders and what
    git ignores (config/ignored.py)."""
    rules = IgnoreRules(path)
    for root, dirs, files in os.walk(path):
        here = Path(root)
        rules.enter(here)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in ("site", "__pycache__", "node_modules")
                         and not rules.ignored(here / d, is_dir=True))
        for name in sorted(files):
            if name.endswith(YAML_SUFFIXES + MARKDOWN_SUFFIXES) and not name.startswith(".") \
                    and not rules.ignored(here / name, is_dir=False):
                yield here / name


def load_file(path: Path, first_order: int = 0, *, namespace: str = DEFAULT_NAMESPACE) -> LoadResult:
    text, problems = read_text(path)
    if text is None:
        return LoadResult(diagnostics=problems)
    if path.suffix.lower() in MARKDOWN_SUFFIXES:
        return load_markdown(text, str(path), first_order, namespace=namespace)
    return load_text(text, Origin(str(path)), first_order, namespace=namespace)


STDIN_ARG = "-"  # on the command line: standard input, as kubectl -f - reads it


def load_stdin(first_order: int = 0, *, namespace: str = DEFAULT_NAMESPACE) -> LoadResult:
    """Standard input (YAML or JSON, at most the file size limit), named ``<stdin>`` in diagnostics."""
    text, problems = read_stdin()
    if text is None:
        return LoadResult(diagnostics=problems)
    return load_text(text, Origin(STDIN_NAME), first_order, namespace=namespace)


def load_paths(paths: Sequence[str | Path], *, namespace: str = DEFAULT_NAMESPACE) -> LoadResult:
    """Load files and directories in the given order (``namespace``: see resources_from_documents).

    ``-`` is standard input (read once, however often it is named).
    """
    result = LoadResult()
    stdin_read = False
    with gc_paused() as pause:
        for raw in paths:
            if str(raw) == STDIN_ARG:
                if not stdin_read:
                    result.extend(load_stdin(len(result.resources), namespace=namespace))
                stdin_read = True
                continue
            path = Path(raw)
            if path.is_dir():
                files: Iterable[Path] = iter_input_files(path)
            elif path.exists() or path.is_symlink():
                files = [path]
            else:
                result.diagnostics.append(report("INB1011", Position(str(path)), reason="no such file or directory"))
                continue
            for file in files:
                loaded = load_file(file, len(result.resources), namespace=namespace)
                result.extend(loaded)
                if any(d.code == "INB1019" for d in loaded.diagnostics):
                    return result  # the budget is spent: no later file is read either
        pause.freeze = len(result.resources) >= LARGE_INPUT
    return result
