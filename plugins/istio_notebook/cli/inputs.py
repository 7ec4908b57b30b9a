"""Where `check`, `route`, `authz` and `envoy-config` read their resources from.

Inputs, in this order: the PATHs (files, directories, Markdown; ``-`` is standard input), then
the service registry folders (``--registry-from DIR``: Kubernetes manifests such as Helm or
kustomize output, of which only the registry kinds are kept and nothing is reported), then a
cluster (``--cluster`` / ``--kube-context``, cli/cluster_input.py). ``--namespace`` is where a
namespaced resource without ``metadata.namespace`` lives, as kubectl's ``--namespace``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from istio_notebook.config import LoadResult, Resource, load_paths
from istio_notebook.config.loader import MARKDOWN_SUFFIXES, UNREADABLE_CODES, iter_input_files
from istio_notebook.config.resource import DEFAULT_NAMESPACE
from istio_notebook.diagnostics import Diagnostic

# The kinds istiod builds its service registry from (Kubernetes Services and their workloads,
# ServiceEntries and WorkloadEntries), as (group, kind).
REGISTRY_KINDS = frozenset(
    {
        ("", "Service"),
        ("", "Namespace"),
        ("", "Pod"),
        ("apps", "Deployment"),
        ("networking.istio.io", "ServiceEntry"),
        ("networking.istio.io", "WorkloadEntry"),
    }
)


def add_input_arguments(parser: argparse.ArgumentParser) -> None:
    """PATH... and the options every command that reads resources shares."""
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="YAML or JSON file, Markdown file or directory; '-' reads standard input")
    parser.add_argument("-n", "--namespace", default=DEFAULT_NAMESPACE, metavar="NS",
                        help="namespace of resources that name none (default: default)")
    parser.add_argument("--registry-from", action="append", default=[], metavar="DIR",
                        help="Kubernetes manifests (e.g. helm template or kustomize build output) whose "
                             "Services, Pods, Deployments, ServiceEntries and WorkloadEntries serve as the "
                             "service registry; they are not checked themselves (repeatable)")
    cluster = parser.add_mutually_exclusive_group()
    cluster.add_argument("--cluster", action="store_true",
                         help="also read the cluster of kubectl's current context (read-only: kubectl get)")
    cluster.add_argument("--kube-context", metavar="NAME", help="also read the cluster of this kubectl context")


@dataclass
class Inputs:
    """What was read: the checked resources, then the registry's, and what to report."""

    resources: list[Resource] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)  # the loader's, registry files' unreadable ones included
    registry_files: frozenset[str] = frozenset()
    context: str | None = None  # the kubectl context read, if any

    @property
    def unreadable(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.code in UNREADABLE_CODES]

    def reported(self, found: Sequence[Diagnostic]) -> list[Diagnostic]:
        """``found`` without findings about registry files (context, not under check), unless unreadable."""
        return [d for d in found if d.file not in self.registry_files or d.code in UNREADABLE_CODES]


def load_registry(directories: Sequence[str], namespace: str) -> tuple[LoadResult, frozenset[str]]:
    """The registry kinds found under ``directories`` and every file they were read from.

    Only YAML and JSON files are read (as ``kubectl apply -f DIR``): a chart's README is not a manifest.
    """
    files: list[Path] = []
    for directory in map(Path, directories):
        found = iter_input_files(directory) if directory.is_dir() else [directory]
        files.extend(f for f in found if f.suffix.lower() not in MARKDOWN_SUFFIXES)
    loaded = load_paths(files, namespace=namespace)
    kept = [r for r in loaded.resources if (r.group, r.kind) in REGISTRY_KINDS]
    read = frozenset({r.file for r in loaded.resources} | {d.file for d in loaded.diagnostics})
    return LoadResult(resources=kept, diagnostics=loaded.unreadable), read


def _subprocess_runner():
    from istio_notebook.labs.runner import SubprocessRunner  # only when a cluster is read

    return SubprocessRunner()


# How the cluster is reached: a labs/runner.py CommandRunner; tests put a fake one here.
cluster_runner: Callable[[], object] = _subprocess_runner


def wants_cluster(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "cluster", False) or getattr(args, "kube_context", None))


def require_input(args: argparse.Namespace) -> None:
    from istio_notebook.cli import UsageError

    if not args.paths and not wants_cluster(args):
        raise UsageError("give at least one PATH ('-' for standard input), or --cluster / --kube-context NAME")


def load_inputs(
    paths: Sequence[str | Path], *, namespace: str = DEFAULT_NAMESPACE, registry_from: Sequence[str] = (),
    cluster: bool = False, kube_context: str | None = None,
) -> Inputs:
    """Load ``paths``, the ``registry_from`` folders and, when asked, the cluster, in that order.

    A cluster that cannot be read raises UsageError (one line, exit 2).
    """
    loaded = load_paths(paths, namespace=namespace)
    registry, files = load_registry(registry_from, namespace) if registry_from else (LoadResult(), frozenset())
    context = None
    if cluster or kube_context:
        context, live = _read_cluster(kube_context)
        registry.extend(live)
    for resource in registry.resources:
        resource.order += len(loaded.resources)  # registry and cluster resources come after the inputs
    return Inputs(
        resources=loaded.resources + registry.resources,
        diagnostics=loaded.diagnostics + registry.diagnostics,
        registry_files=files,
        context=context,
    )


def inputs_of(args: argparse.Namespace, paths: Sequence[str | Path] | None = None) -> Inputs:
    """load_inputs with the command's arguments (``paths`` instead of its PATHs when given)."""
    return load_inputs(args.paths if paths is None else paths, namespace=args.namespace,
                       registry_from=args.registry_from, cluster=args.cluster, kube_context=args.kube_context)


def _read_cluster(kube_context: str | None) -> tuple[str, LoadResult]:
    from istio_notebook.cli import UsageError
    from istio_notebook.cli.cluster_source import ClusterError, ClusterSource

    try:
        return ClusterSource(cluster_runner(), context=kube_context).read()
    except ClusterError as error:
        raise UsageError(str(error)) from None
