"""Regenerate the Gateway API spec models from a gateway-api checkout (a maintainer tool, not run at run time).

    python -m istio_notebook.config.models.generate_gateway_api /path/to/gateway-api plugins/istio_notebook/config/models/gateway_api

Reads the OpenAPI v3 schemas of the CRDs of the experimental channel (``config/crd/experimental``: a
superset of the standard channel, and the only one with TCPRoute and HTTPRoute ``retry``, which
Istio implements) at the version Istio vendors (``VERSION``; check out that tag first) and writes one
module per kind: field names, types, ``required``, ``enum``, string length and ``pattern`` (RE2,
as the API server's OpenAPI validation applies it), integer bounds and list lengths. CEL rules
(``x-kubernetes-validations``) are not generated: the ones that change what a route does are
checked by hand in ``analysis/validation/gatewayapi.py``.

The CRDs inline Gateway API's shared Go types (ParentReference, BackendRef, the header filters, ...)
wherever they are used, so the same object schema stands in several kinds and several places of one
kind. Each distinct object schema becomes one class: one used in a single place stays in its kind's
module under its path name (``HTTPRouteSpecRulesMatches``); one used in several is written once, into
``common.py``, under a name made of what its places share (see :mod:`.gateway_api_names`). Each module
imports only what it uses. Format the output with ``ruff format --line-length 140``.
"""

from __future__ import annotations

import keyword
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from istio_notebook.config.models.gateway_api_names import shared_name

VERSION = "v1.5.1"  # kubernetes-sigs/gateway-api, as vendored by Istio 1.30
COMMON = "common"  # the module of the classes that several places share

# kind → (CRD file under config/crd, served version to model, module name)
CRDS: dict[str, tuple[str, str, str]] = {
    "GatewayClass": ("experimental/gateway.networking.k8s.io_gatewayclasses.yaml", "v1", "gateway_class"),
    "Gateway": ("experimental/gateway.networking.k8s.io_gateways.yaml", "v1", "gateway"),
    "HTTPRoute": ("experimental/gateway.networking.k8s.io_httproutes.yaml", "v1", "http_route"),
    "GRPCRoute": ("experimental/gateway.networking.k8s.io_grpcroutes.yaml", "v1", "grpc_route"),
    "TLSRoute": ("experimental/gateway.networking.k8s.io_tlsroutes.yaml", "v1", "tls_route"),
    "TCPRoute": ("experimental/gateway.networking.k8s.io_tcproutes.yaml", "v1alpha2", "tcp_route"),
    "ReferenceGrant": ("experimental/gateway.networking.k8s.io_referencegrants.yaml", "v1", "reference_grant"),
}

# Class bodies refer to other classes and to patterns through these markers until every name is
# known (a class's name depends on how many places share it, which is known only at the end).
_CLASS = "\x00C{}\x00"
_PATTERN = "\x00P{}\x00"
_MARKER = re.compile("\x00([CP])([0-9]+)\x00")


def _camel(name: str) -> str:
    return name[:1].upper() + name[1:]


@dataclass
class _Class:
    body: str  # the class's lines after ``class X(Message):``, with markers
    places: list[tuple[str, str]] = field(default_factory=list)  # (kind, path name)

    @property
    def shared(self) -> bool:
        return len(self.places) > 1


class Schemas:
    """Every object schema of every kind, each distinct one once, in the order first met (innermost first)."""

    def __init__(self) -> None:
        self.classes: list[_Class] = []
        self._by_body: dict[str, int] = {}
        self.patterns: list[str] = []
        self._pattern_ids: dict[str, int] = {}

    def pattern(self, pattern: str) -> str:
        if pattern not in self._pattern_ids:
            self._pattern_ids[pattern] = len(self.patterns)
            self.patterns.append(pattern)
        return _PATTERN.format(self._pattern_ids[pattern])

    def add(self, body: str, kind: str, name: str) -> str:
        if body not in self._by_body:
            self._by_body[body] = len(self.classes)
            self.classes.append(_Class(body))
        index = self._by_body[body]
        self.classes[index].places.append((kind, name))
        return _CLASS.format(index)

    def walk(self, kind: str, spec: dict) -> int:
        """Adds the spec schema of ``kind`` and all it contains; the index of the spec's class."""
        marker = _Walker(kind, self).message(spec, kind + "Spec")
        return int(_MARKER.fullmatch(marker).group(2))


class _Walker:
    def __init__(self, kind: str, schemas: Schemas):
        self.kind = kind
        self.schemas = schemas

    def scalar(self, schema: dict) -> str:
        kind = schema.get("type")
        if "enum" in schema:
            return "Literal[" + ", ".join(repr(v) for v in schema["enum"]) + "]"
        if schema.get("x-kubernetes-int-or-string"):
            return "IntOrString"
        if kind == "string":
            constraints = []
            if "pattern" in schema:
                constraints.append(f"Pattern({self.schemas.pattern(schema['pattern'])})")
            if "maxLength" in schema:
                constraints.append(f"MaxLen({schema['maxLength']})")
            if "minLength" in schema:
                constraints.append(f"MinLen({schema['minLength']})")
            return f"Annotated[str, Strict(), {', '.join(constraints)}]" if constraints else "StrictStr"
        if kind == "integer":
            base = "Int64" if schema.get("format") == "int64" else "Int32"
            bounds = [f"Ge({schema['minimum']})"] if "minimum" in schema else []
            bounds += [f"Le({schema['maximum']})"] if "maximum" in schema else []
            return f"Annotated[{base}, {', '.join(bounds)}]" if bounds else base
        if kind == "boolean":
            return "StrictBool"
        if kind == "number":
            return "Float"
        return "Any"

    def type_of(self, schema: dict, name: str) -> str:
        kind = schema.get("type")
        if kind == "array":
            inner = self.type_of(schema.get("items", {}), name)
            bounds = [f"MaxLen({schema['maxItems']})"] if "maxItems" in schema else []
            bounds += [f"MinLen({schema['minItems']})"] if schema.get("minItems") else []
            return f"Annotated[list[{inner}], {', '.join(bounds)}]" if bounds else f"list[{inner}]"
        if kind == "object" and "properties" in schema:
            return self.message(schema, name)
        if kind == "object":
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict):
                return f"dict[str, {self.type_of(extra, name + 'Value')}]"
            return "Struct"
        return self.scalar(schema)

    def message(self, schema: dict, name: str) -> str:
        required = set(schema.get("required", ()))
        lines = []
        rules = [r.get("message") or r.get("rule") for r in schema.get("x-kubernetes-validations", ())]
        if rules:
            lines.append('    r"""CEL rules: ' + "; ".join(str(r).replace('"', "'") for r in rules) + '"""')
        for field_name, sub in schema["properties"].items():
            annotation = self.type_of(sub, name + _camel(field_name))
            attribute = field_name + "_" if keyword.iskeyword(field_name) else field_name
            if field_name in required:
                value = f" = Field(alias={field_name!r})" if attribute != field_name else ""
                lines.append(f"    {attribute}: {annotation}{value}")
            else:
                value = f"Field(None, alias={field_name!r})" if attribute != field_name else "None"
                lines.append(f"    {attribute}: {annotation} | None = {value}")
        return self.schemas.add("\n".join(lines), self.kind, name)


# What a module may import, in import-sorted groups; a module imports only the names its classes use.
_IMPORTS: tuple[tuple[tuple[str, tuple[str, ...]], ...], ...] = (
    (("typing", ("Annotated", "Any", "Literal")),),
    (("annotated_types", ("Ge", "Le", "MaxLen", "MinLen")), ("pydantic", ("Field", "Strict", "StrictBool", "StrictStr"))),
    (
        ("istio_notebook.config.models.base", ("Float", "Int32", "Int64", "Message", "Struct")),
        ("istio_notebook.config.models.gateway_api.patterns", ("IntOrString", "Pattern")),
    ),
)

HEADER = '''"""{title}

Generated by ``config/models/generate_gateway_api.py`` from the CRD's OpenAPI schema: names,
types, required fields, enums, lengths, bounds and RE2 patterns. Do not edit by hand."""

from __future__ import annotations
'''


def _imports(text: str, common: list[str]) -> str:
    """The import blocks for module body ``text``; ``common`` are the names ``common.py`` offers."""
    used = set(re.findall(r"\b[A-Za-z_][A-Za-z0-9_]*\b", text))
    groups = [list(group) for group in _IMPORTS]
    groups[-1].append((f"istio_notebook.config.models.gateway_api.{COMMON}", tuple(sorted(common))))
    groups[-1].sort()  # by module, as isort orders them
    blocks = []
    for group in groups:
        lines = []
        for source, names in group:
            wanted = [name for name in names if name in used]
            if wanted:
                lines.append(f"from {source} import {', '.join(wanted)}")
        if lines:
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


class Renderer:
    """Names the classes of :class:`Schemas` and writes one module per kind plus ``common.py``."""

    def __init__(self, schemas: Schemas):
        self.schemas = schemas
        self.names = [shared_name(c.places) if c.shared else c.places[0][1] for c in schemas.classes]
        if len(set(self.names)) != len(self.names):
            clashes = sorted({n for n in self.names if self.names.count(n) > 1})
            raise ValueError(f"two classes would share a name: {', '.join(clashes)} (extend gateway_api_names.NAMES)")

    def _module_of(self, index: int) -> str:
        found = self.schemas.classes[index]
        return COMMON if found.shared else CRDS[found.places[0][0]][2]

    def module(self, module: str, title: str) -> str:
        indices = [i for i in range(len(self.schemas.classes)) if self._module_of(i) == module]
        pattern_names: dict[int, str] = {}

        def resolve(match: re.Match) -> str:
            index = int(match.group(2))
            if match.group(1) == "C":
                return self.names[index]
            return pattern_names.setdefault(index, f"_P{len(pattern_names)}")

        # Classes come innermost first: that order needs no forward references.
        classes = [_MARKER.sub(resolve, f"class {self.names[i]}(Message):\n{self.schemas.classes[i].body}") for i in indices]
        patterns = "".join(f"{name} = {self.schemas.patterns[index]!r}\n" for index, name in pattern_names.items())
        text = patterns + "\n\n" + "\n\n\n".join(classes) + "\n"
        common = [self.names[i] for i in range(len(self.names)) if self._module_of(i) == COMMON and module != COMMON]
        return HEADER.format(title=title) + "\n" + _imports(text, common) + "\n\n" + text


def load_spec(checkout: Path, kind: str) -> dict:
    crd_file, version, _ = CRDS[kind]
    crd = yaml.safe_load((checkout / "config" / "crd" / crd_file).read_text())
    (served,) = [v for v in crd["spec"]["versions"] if v["name"] == version]
    return served["schema"]["openAPIV3Schema"]["properties"]["spec"]


def generate(specs: dict[str, dict]) -> dict[str, str]:
    """Module name → source, for the spec schemas of ``specs`` (kind → schema)."""
    schemas = Schemas()
    for kind, spec in specs.items():
        schemas.walk(kind, spec)
    renderer = Renderer(schemas)
    out = {}
    for kind in specs:
        crd_file, version, module = CRDS[kind]
        out[module] = renderer.module(module, f"Spec model of Gateway API {kind} {version} (kubernetes-sigs/gateway-api {VERSION}, {crd_file}).")
    out[COMMON] = renderer.module(COMMON, f"Gateway API types that several kinds or places share (kubernetes-sigs/gateway-api {VERSION}).")
    return out


def main(argv: list[str]) -> int:
    checkout, out = Path(argv[1]), Path(argv[2])
    for module, text in generate({kind: load_spec(checkout, kind) for kind in CRDS}).items():
        (out / f"{module}.py").write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
