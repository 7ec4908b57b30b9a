"""Read the modelled kinds from a live cluster, read-only, through ``kubectl get -o json``.

``--cluster`` uses kubectl's current context (as ``istioctl analyze`` does); ``--kube-context
NAME`` names one. Exactly these commands run, and nothing else (tests/cli/test_cluster_source.py
pins them):

1. ``kubectl config current-context`` (``--cluster`` only): the context's name, read from the
   local kubeconfig, for the messages;
2. ``kubectl --context C --request-timeout=30s api-resources --verbs=list -o name``: which of the
   kinds we model the cluster serves (API discovery: HTTP GET of /api and /apis);
3. ``kubectl --context C --request-timeout=30s get R1,R2,... --all-namespaces -o json``: the
   objects (RBAC verb ``list``).

No Secrets or ConfigMaps are read. Each object's ``file`` is ``k8s://CONTEXT/NAMESPACE/RESOURCE/NAME``
(``k8s://CONTEXT/RESOURCE/NAME`` when cluster-scoped) and its lines are the lines of ``kubectl get
RESOURCE NAME -n NAMESPACE -o json``: kubectl prints a list's items exactly as it prints one object,
only indented, so the offsets of each item are subtracted.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from istio_notebook.config.json_text import read_json_or_yaml
from istio_notebook.config.kinds import MODELLED, KindInfo
from istio_notebook.config.kinds import resource_name as kind_resource_name
from istio_notebook.config.listing import unpack_lists
from istio_notebook.config.loader import LoadResult, resources_from_documents
from istio_notebook.config.yaml_reader import Origin, YamlDocument
from istio_notebook.labs.runner import CommandRunner, Completed

REQUEST_TIMEOUT = 30  # seconds, kubectl's own limit on each API request
COMMAND_TIMEOUT = 120.0  # seconds for a whole kubectl command
# A partial discovery failure (an aggregated API down) still lists every other group.
_PARTIAL_DISCOVERY = "unable to retrieve the complete list of server APIs"


class ClusterError(RuntimeError):
    """The cluster cannot be read; the message is one line naming the context and the cause."""


def resource_name(info: KindInfo) -> str:
    """``plural.group`` of a modelled kind (config.kinds.resource_name)."""
    return kind_resource_name(info.group, info.kind)


def _one_line(done: Completed) -> str:
    lines = [line.strip() for line in (done.stderr.strip() or done.stdout.strip()).splitlines() if line.strip()]
    return lines[-1] if lines else f"exit status {done.returncode}"


@dataclass
class ClusterSource:
    runner: CommandRunner
    context: str | None = None  # None: kubectl's current context
    kinds: tuple[KindInfo, ...] = MODELLED

    def _kubectl(self, context: str, *args: str) -> list[str]:
        return ["kubectl", "--context", context, f"--request-timeout={REQUEST_TIMEOUT}s", *args]

    def _run(self, argv: list[str], what: str) -> Completed:
        done = self.runner.run(argv, timeout=COMMAND_TIMEOUT)
        if done.returncode == 127 or done.returncode == 124:
            raise ClusterError(f"{what}: {_one_line(done)}")
        return done

    def resolve_context(self) -> str:
        if self.runner.which("kubectl") is None:
            raise ClusterError("kubectl is not installed (not found on PATH); --cluster and --kube-context read the cluster through it")
        if self.context:
            return self.context
        done = self._run(["kubectl", "config", "current-context"], "kubectl config current-context")
        name = done.stdout.strip()
        if not done.ok or not name:
            raise ClusterError(f"no current kubectl context ({_one_line(done)}); use --kube-context NAME")
        return name

    def served(self, context: str) -> list[KindInfo]:
        """The modelled kinds the cluster serves, in our order."""
        done = self._run(self._kubectl(context, "api-resources", "--verbs=list", "-o", "name"), f"context {context}")
        names = set(done.stdout.split())
        if not done.ok and not (names and _PARTIAL_DISCOVERY in done.stderr):
            raise ClusterError(f"cannot reach the cluster of context {context}: {_one_line(done)}")
        return [info for info in self.kinds if resource_name(info) in names]

    def read(self) -> tuple[str, LoadResult]:
        """(context name, the resources read from it)."""
        context = self.resolve_context()
        kinds = self.served(context)
        if not kinds:
            return context, LoadResult()
        names = ",".join(resource_name(info) for info in kinds)
        done = self._run(self._kubectl(context, "get", names, "--all-namespaces", "-o", "json"), f"context {context}")
        if not done.ok:
            raise ClusterError(f"cannot read the cluster of context {context}: {_one_line(done)}")
        return context, load_cluster_json(done.stdout, context)


def object_file(context: str, data: dict) -> str:
    """``k8s://CONTEXT/NAMESPACE/RESOURCE/NAME`` for an object of a kubectl dump."""
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    group = str(data.get("apiVersion", "")).rpartition("/")[0]
    namespace = metadata.get("namespace")
    parts = [context, *([namespace] if namespace else []), kind_resource_name(group, str(data.get("kind", ""))),
             str(metadata.get("name", ""))]
    return "k8s://" + "/".join(parts)


def _as_object(document: YamlDocument, context: str) -> YamlDocument:
    """``document`` (an item of a dump) with lines and columns counted from its own opening brace."""
    origin = Origin(object_file(context, document.data) if isinstance(document.data, dict) else f"k8s://{context}",
                    line_offset=-document.tree.line, column_offset=-document.tree.column)
    return replace(document, origin=origin)


def load_cluster_json(text: str, context: str) -> LoadResult:
    """Resources from the output of ``kubectl get ... -o json``, each named as its cluster object."""
    documents, diagnostics = read_json_or_yaml(text, Origin(f"k8s://{context}"))
    items = [_as_object(d, context) for d in unpack_lists(documents)]
    result = resources_from_documents(items)
    result.diagnostics[:0] = diagnostics
    return result
