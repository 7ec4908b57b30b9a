"""Regenerate the Gateway API spec models from a gateway-api checkout (a maintainer tool, not run at run time).

    python -m istio_notebook.config.models.generate_gateway_api /path/to/gateway-api plugins/istio_notebook/config/models/gateway_api

Reads the OpenAPI v3 schemas of the CRDs of the experimental channel (``config/crd/experimental``: a
superset of the standard channel, and the only one with TCPRoute and HTTPRoute ``retry``, which
Istio implements) at the version Istio vendors (``VERSION``; check out that tag first) and writes one
module per kind: field names, types, ``required``, ``enum``, string length and ``pattern`` (RE2,
as the API server's OpenAPI validation applies it), integer bounds and list lengths. CEL rules
(``x-kubernetes-validations``) are not generated: the ones that change what a route does are
checked by hand in ``analysis/validation/gatewayapi.py``. Format the output with ``ruff format --line-length 140``.
"""

from __future__ import annotations

import keyword
import sys
from pathlib import Path

import yaml

VERSION = "v1.5.1"  # kubernetes-sigs/gateway-api, as vendored by Istio 1.30

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


def _camel(name: str) -> str:
    return name[:1].upper() + name[1:]


class _Writer:
    def __init__(self, kind: str):
        self.kind = kind
        self.classes: list[str] = []
        self.patterns: dict[str, str] = {}

    def pattern_name(self, pattern: str) -> str:
        if pattern not in self.patterns:
            self.patterns[pattern] = f"_P{len(self.patterns)}"
        return self.patterns[pattern]

    def scalar(self, schema: dict) -> str:
        kind = schema.get("type")
        if "enum" in schema:
            return "Literal[" + ", ".join(repr(v) for v in schema["enum"]) + "]"
        if schema.get("x-kubernetes-int-or-string"):
            return "IntOrString"
        if kind == "string":
            constraints = []
            if "pattern" in schema:
                constraints.append(f"Pattern({self.pattern_name(schema['pattern'])})")
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
        lines = [f"class {name}(Message):"]
        rules = [r.get("message") or r.get("rule") for r in schema.get("x-kubernetes-validations", ())]
        if rules:
            lines.append('    r"""CEL rules: ' + "; ".join(str(r).replace('"', "'") for r in rules) + '"""')
        for field, sub in schema["properties"].items():
            annotation = self.type_of(sub, name + _camel(field))
            attribute = field + "_" if keyword.iskeyword(field) else field
            if field in required:
                value = f" = Field(alias={field!r})" if attribute != field else ""
                lines.append(f"    {attribute}: {annotation}{value}")
            else:
                value = f"Field(None, alias={field!r})" if attribute != field else "None"
                lines.append(f"    {attribute}: {annotation} | None = {value}")
        self.classes.append("\n".join(lines))
        return name


HEADER = '''"""Spec model of Gateway API {kind} {version} (kubernetes-sigs/gateway-api {tag}, {crd}).

Generated by ``config/models/generate_gateway_api.py`` from the CRD's OpenAPI schema: names,
types, required fields, enums, lengths, bounds and RE2 patterns. Do not edit by hand."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from annotated_types import Ge, Le, MaxLen, MinLen
from pydantic import Field, Strict, StrictBool, StrictStr

from istio_notebook.config.models.base import Float, Int32, Int64, Message, Struct
from istio_notebook.config.models.gateway_api.patterns import IntOrString, Pattern

'''


def generate(kind: str, checkout: Path) -> str:
    crd_file, version, _ = CRDS[kind]
    crd = yaml.safe_load((checkout / "config" / "crd" / crd_file).read_text())
    (served,) = [v for v in crd["spec"]["versions"] if v["name"] == version]
    spec = served["schema"]["openAPIV3Schema"]["properties"]["spec"]
    writer = _Writer(kind)
    writer.message(spec, kind + "Spec")
    head = HEADER.format(kind=kind, version=version, tag=VERSION, crd=crd_file)
    patterns = "".join(f"{name} = {pattern!r}\n" for pattern, name in writer.patterns.items())
    # Classes were appended innermost first: that order needs no forward references.
    return head + patterns + "\n\n" + "\n\n\n".join(writer.classes) + "\n"


def main(argv: list[str]) -> int:
    checkout, out = Path(argv[1]), Path(argv[2])
    for kind, (_, _, module) in CRDS.items():
        (out / f"{module}.py").write_text(generate(kind, checkout))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
