"""Real-world Istio YAML: 167 blocks from an author's public notes (../shared/corpus, never copied
into this repository). Every block must go through load_text + validate without an exception,
and the mistakes found in them are pinned below, block by block, with the reason each is a
mistake by Istio's (or Kubernetes') own rules. The blocks are excerpts, so many omit a required
field; as written, the API server or Istio's webhook would refuse them all the same.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from istio_notebook.analysis.validation import validate
from istio_notebook.config import Origin, load_text

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpus" / "author-notes" / "istio-yaml-blocks.yaml"
PREFIX = "infrastructure_as_code_kubernetes_cncf_project_"

# (page, line of the block) → the field paths flagged IST0106 in that block.
PINNED: dict[tuple[str, int], list[str]] = {
    # Placeholder label values ("<リビジョン番号>") are not valid Kubernetes label values
    # (pkg/config/labels/instance.go: qualified-name characters only), nor in a Service name.
    ("istio_control_plane.md", 171): ["metadata.labels", "metadata.name", "spec.selector"],
    # A stray double quote at the end of the name: `foo-request-authentication-jwt"` is not an
    # RFC 1123 subdomain, so the API server refuses the object.
    ("istio_resource_definition.md", 1057): ["metadata.name"],
    ("istio_resource_definition.md", 1078): ["metadata.name"],
    # hosts "*" in a VirtualService without gateways (bound to mesh): ValidateVirtualService refuses
    # "wildcard host * is not allowed for virtual services bound to the mesh gateway".
    ("istio_policy.md", 153): ["spec.hosts[0]"],
    ("istio_resource_definition.md", 1221): ["spec", "spec.hosts[0]"],
    # IstioOperator: "<component名>" is not a component, and defaultRevision belongs under values
    # (operator/pkg/apis/types.go lists the spec fields; unknown fields are refused).
    ("istio_operator_resource_definition.md", 119): ["spec.components[<component名>]"],
    ("istio_operator_resource_definition.md", 359): ["spec.defaultRevision"],
    # meshConfig written as the string "..." where a mapping is required.
    ("istio_resource_definition_configmap.md", 60): ["spec.meshConfig"],
    # DestinationRule excerpts without `host`, which is REQUIRED (destination_rule.proto).
    ("istio_resource_definition.md", 296): ["spec.host"],
    ("istio_resource_definition.md", 315): ["spec.host"],
    ("istio_resource_definition.md", 370): ["spec.host"],
    ("istio_resource_definition.md", 398): ["spec.host"],
    ("istio_resource_definition.md", 423): ["spec.host"],
    ("istio_resource_definition.md", 448): ["spec.host"],
    ("istio_resource_definition.md", 469): ["spec.host"],
    ("istio_resource_definition.md", 496): ["spec.host"],
    ("istio_resource_definition.md", 517): ["spec.host"],
    ("istio_resource_definition.md", 538): ["spec.host"],
    ("istio_resource_definition.md", 550): ["spec.host"],
    # EnvoyFilter patches without applyTo or without patch: validateEnvoyFilter refuses
    # "missing applyTo" / "missing patch" (pkg/config/validation/envoyfilter/envoyfilter.go).
    ("istio_resource_definition.md", 576): ["spec.configPatches[0]"],
    ("istio_resource_definition.md", 595): ["spec.configPatches[0].applyTo"],
    ("istio_resource_definition.md", 614): ["spec.configPatches[0].applyTo"],
    ("istio_resource_definition.md", 637): ["spec.configPatches[0].applyTo"],
    ("istio_resource_definition.md", 657): ["spec.configPatches[0].applyTo"],
    # Gateway: no servers, or servers without port number/protocol/name and hosts
    # (gateway.proto marks them REQUIRED; ValidateGateway: "gateway must have at least one server").
    ("istio_resource_definition.md", 811): ["spec"],
    ("istio_resource_definition.md", 841): ["spec.servers[0].hosts", "spec.servers[0].port.number", "spec.servers[0].port.protocol"],
    ("istio_resource_definition.md", 867): ["spec.servers[0].hosts", "spec.servers[0].port.name", "spec.servers[0].port.protocol"],
    ("istio_resource_definition.md", 887): ["spec.servers[0].hosts", "spec.servers[0].port.name", "spec.servers[0].port.number"],
    (
        "istio_resource_definition.md",
        907,
    ): ["spec.servers[0].hosts", "spec.servers[0].port.name", "spec.servers[0].port.number", "spec.servers[0].port.protocol"],
    ("istio_resource_definition.md", 927): ["spec.servers[0].port"],
    ("istio_resource_definition.md", 951): ["spec.servers[0].hosts", "spec.servers[0].port"],
    ("istio_resource_definition.md", 969): ["spec.servers[0].hosts", "spec.servers[0].port"],
    ("istio_resource_definition.md", 991): ["spec.servers[0].hosts", "spec.servers[0].port"],
    # ServiceEntry: hosts "*" ("invalid host *") or no hosts at all (REQUIRED).
    ("istio_resource_definition.md", 1107): ["spec.hosts[0]"],
    ("istio_resource_definition.md", 1127): ["spec.hosts"],
    ("istio_resource_definition.md", 1152): ["spec.hosts"],
    # VirtualService without http/tcp/tls: "http, tcp or tls must be provided in virtual service".
    ("istio_resource_definition.md", 1179): ["spec"],
    ("istio_resource_definition.md", 1198): ["spec"],
    # No hosts makes a VirtualService a delegate, and a delegate may not name gateways or carry
    # tcp routes ("delegate virtual service must have no gateways/tcp route specified").
    ("istio_resource_definition.md", 1250): ["spec", "spec.gateways"],
    ("istio_resource_definition.md", 1269): ["spec", "spec.gateways"],
    ("istio_resource_definition.md", 1286): ["spec", "spec.gateways"],
    ("istio_resource_definition.md", 1532): ["spec.tcp", "spec.tcp[0].route"],
    ("istio_resource_definition.md", 1550): ["spec.tcp"],
    ("istio_resource_definition.md", 1569): ["spec.tcp"],
    ("istio_resource_definition.md", 1590): ["spec.tcp", "spec.tcp[0].route"],
    # fault written as a list: HTTPFaultInjection is a single message.
    ("istio_resource_definition.md", 1313): ["spec.http[0].fault"],
    # HTTP rules with neither route, redirect nor directResponse; retries with retryOn but
    # attempts 0 ("http retry policy configured when attempts are set to 0 (disabled)").
    ("istio_resource_definition.md", 1338): ["spec.http[0]"],
    ("istio_resource_definition.md", 1356): ["spec.http[0]"],
    ("istio_resource_definition.md", 1376): ["spec.http[0]"],
    ("istio_resource_definition.md", 1397): ["spec.http[0]", "spec.http[0].retries.attempts"],
    # Two destinations without weights: validateHTTPRouteDestinations "total destination weight = 0".
    ("istio_resource_definition.md", 1464): ["spec.http[0].route"],
    # Deployment whose template has no labels matching spec.selector: the API server refuses
    # "selector does not match template labels".
    ("istio_resource_definition.md", 755): ["spec.template.metadata.labels"],
    ("istio_resource_definition_common.md", 117): ["spec.template.metadata.labels"],
    ("istio_resource_definition_common.md", 146): ["spec.template.metadata.labels"],
    ("istio_resource_definition_common.md", 172): ["spec.template.metadata.labels"],
    ("istio_resource_definition_common.md", 206): ["spec.template.metadata.labels"],
    ("istio_resource_definition_common.md", 234): ["spec.template.metadata.labels"],
    ("istio_resource_definition_common.md", 284): ["spec.template.metadata.labels"],
    ("istio_resource_definition_metadata.md", 117): ["spec.template.metadata.labels"],
    ("istio_resource_definition_metadata.md", 146): ["spec.template.metadata.labels"],
    ("istio_resource_definition_metadata.md", 172): ["spec.template.metadata.labels"],
    ("istio_resource_definition_metadata.md", 206): ["spec.template.metadata.labels"],
    ("istio_resource_definition_metadata.md", 284): ["spec.template.metadata.labels"],
    # Annotation values must be strings: `sidecar.istio.io/inject: false` and `proxyCPU: 2` are
    # a bool and a number (kubectl: "cannot unmarshal bool into ... annotations of type string").
    ("istio_resource_definition_common.md", 259): ["spec.template.metadata.annotations[sidecar.istio.io/proxyCPU]"],
    ("istio_resource_definition_common.md", 309): ["spec.template.metadata.annotations[sidecar.istio.io/proxyMemory]"],
    ("istio_resource_definition_metadata.md", 234): ["spec.template.metadata.annotations[sidecar.istio.io/inject]"],
    ("istio_resource_definition_metadata.md", 259): ["spec.template.metadata.annotations[sidecar.istio.io/proxyCPU]"],
    ("istio_resource_definition_metadata.md", 309): ["spec.template.metadata.annotations[sidecar.istio.io/proxyMemory]"],
}

# (page, line of the block) → the field paths with an IST0133 validation warning. Istio warns about
# every EnvoyFilter ("EnvoyFilter exposes internal implementation details...", envoyfilter.go).
PINNED_WARNINGS: dict[tuple[str, int], list[str]] = {
    ("istio_resource_definition.md", 576): ["spec"],
    ("istio_resource_definition.md", 595): ["spec"],
    ("istio_resource_definition.md", 614): ["spec"],
    ("istio_resource_definition.md", 637): ["spec"],
    ("istio_resource_definition.md", 657): ["spec"],
    ("istio_resource_definition.md", 685): ["spec"],
}
_PREFIXES = {"IST0106": "Schema validation error: ", "IST0133": "Schema validation warning: "}


@pytest.fixture(scope="module")
def blocks() -> list[dict]:
    if not CORPUS.exists():
        pytest.skip(f"corpus not present at {CORPUS}")
    return yaml.safe_load(CORPUS.read_text(encoding="utf-8"))["blocks"]


def _flagged(blocks: list[dict], code: str) -> dict[tuple[str, int], list[str]]:
    flagged: dict[tuple[str, int], set[str]] = defaultdict(set)
    for block in blocks:
        page = block["page"].rsplit("/", 1)[-1].removeprefix(PREFIX)
        loaded = load_text(block["yaml"], Origin(block["page"], block["line"]))
        for resource in loaded.resources:
            for diagnostic in validate(resource):
                assert diagnostic.code in _PREFIXES
                assert diagnostic.position.file == block["page"]
                assert diagnostic.position.line > block["line"], "positions are file lines inside the block"
                if diagnostic.code == code:
                    detail = diagnostic.message.removeprefix(_PREFIXES[code])
                    flagged[(page, block["line"])].add(detail.split(": ", 1)[0])
    return {key: sorted(paths) for key, paths in flagged.items()}


def test_every_block_is_validated_without_an_exception(blocks: list[dict]) -> None:
    assert len(blocks) == 167
    checked = 0
    for block in blocks:
        for resource in load_text(block["yaml"], Origin(block["page"], block["line"])).resources:
            validate(resource)
            checked += 1
    assert checked > 100


def test_the_mistakes_found_are_exactly_the_pinned_ones(blocks: list[dict]) -> None:
    assert _flagged(blocks, "IST0106") == PINNED


def test_the_warnings_found_are_exactly_the_pinned_ones(blocks: list[dict]) -> None:
    assert _flagged(blocks, "IST0133") == PINNED_WARNINGS
