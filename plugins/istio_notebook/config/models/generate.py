"""Regenerate the spec models from an istio/api checkout (a maintainer tool, not used at run time).

    python -m istio_notebook.config.models.generate /path/to/istio/api plugins/istio_notebook/config/models 1.30.3

The third argument is the istio/api release tag to read (a bare clone is enough): generate from
the tag of the Istio release the site documents, never from master, whose protos carry fields
that release does not know. The tag is written into each module's docstring.

Reads only the field lists of the protos (names, types, labels, oneofs, REQUIRED) and writes one
module per proto file (then `ruff format --line-length 140` and `ruff check --select I --fix`
them). Hand-written modules (base, kubernetes, istio_operator, registry, parse) are untouched; the
proto reader is proto_reader.py.
"""

import keyword
import os
import re
import subprocess
import sys

from pydantic import BaseModel

from istio_notebook.config.models.proto_reader import parse

FILES = {
    "type/v1beta1/selector.proto": "selector",
    "networking/v1alpha3/virtual_service.proto": "virtual_service",
    "networking/v1alpha3/destination_rule.proto": "destination_rule",
    "networking/v1alpha3/gateway.proto": "gateway",
    "networking/v1alpha3/workload_entry.proto": "workload_entry",
    "networking/v1alpha3/sidecar.proto": "sidecar",
    "networking/v1alpha3/service_entry.proto": "service_entry",
    "networking/v1alpha3/workload_group.proto": "workload_group",
    "networking/v1alpha3/envoy_filter.proto": "envoy_filter",
    "security/v1beta1/authorization_policy.proto": "authorization_policy",
    "security/v1beta1/peer_authentication.proto": "peer_authentication",
    "security/v1beta1/request_authentication.proto": "request_authentication",
    "telemetry/v1alpha1/telemetry.proto": "telemetry",
    "extensions/v1alpha1/wasm.proto": "wasm_plugin",
    "extensions/v1alpha1/traffic_extension.proto": "traffic_extension",
}
ROOTS = {
    "VirtualService",
    "DestinationRule",
    "Gateway",
    "WorkloadEntry",
    "Sidecar",
    "ServiceEntry",
    "WorkloadGroup",
    "EnvoyFilter",
    "AuthorizationPolicy",
    "PeerAuthentication",
    "RequestAuthentication",
    "Telemetry",
    "WasmPlugin",
    "TrafficExtension",
}
SCALAR = {
    "string": "str",
    "bytes": "str",
    "bool": "StrictBool",
    "int32": "Int32",
    "sint32": "Int32",
    "sfixed32": "Int32",
    "uint32": "UInt32",
    "fixed32": "UInt32",
    "int64": "Int64",
    "sint64": "Int64",
    "sfixed64": "Int64",
    "uint64": "UInt64",
    "fixed64": "UInt64",
    "double": "Float",
    "float": "Float",
}
WKT = {
    "google.protobuf.Duration": "Duration",
    "google.protobuf.Timestamp": "str",
    "google.protobuf.BoolValue": "StrictBool",
    "google.protobuf.StringValue": "str",
    "google.protobuf.UInt32Value": "UInt32",
    "google.protobuf.Int32Value": "Int32",
    "google.protobuf.Int64Value": "Int64",
    "google.protobuf.UInt64Value": "UInt64",
    "google.protobuf.DoubleValue": "Float",
    "google.protobuf.FloatValue": "Float",
    "google.protobuf.Struct": "Struct",
    "google.protobuf.Value": "Any",
    "google.protobuf.ListValue": "list[Any]",
    "google.protobuf.Any": "Struct",
    "google.protobuf.Empty": "Struct",
}
RESERVED = set(dir(BaseModel)) | set(keyword.kwlist) | {"Any", "Literal", "Field", "list", "dict", "str"}


def camel(n):
    parts = n.split("_")
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])


def pyname(full, pkg):
    return full[len(pkg) + 1 :].replace(".", "")


def load(repo: str, ref: str):
    """Every proto of FILES at ``ref``: (symbol table full name → (module, python name, kind, obj),
    module → (package, messages, enums, path), the CRD's (altName, proto field) pairs)."""
    symbols, parsed = {}, {}
    alt_names: set[tuple[str, str]] = set()  # (alternative JSON name, proto field name)
    for path, mod in FILES.items():
        text = subprocess.run(["git", "-C", repo, "show", f"{ref}:{path}"], capture_output=True, text=True, check=True).stdout
        pkg, msgs, enums = parse(text)
        parsed[mod] = (pkg, msgs, enums, path)
        # `+kubebuilder:altName=x` in a field's comment: the CRD also accepts that JSON name.
        alt_names.update(re.findall(r"\+kubebuilder:altName=(\w+)\n(?:\s*//[^\n]*\n)*\s*[\w.<>, ]+?\s(\w+)\s*=\s*\d+", text))

        def reg(ms, mod=mod, pkg=pkg):
            for m in ms:
                symbols[m.full] = (mod, pyname(m.full, pkg), "msg", m)
                for e in m.enums:
                    symbols[e.full] = (mod, pyname(e.full, pkg), "enum", e)
                reg(m.nested)

        reg(msgs)
        for e in enums:
            symbols[e.full] = (mod, pyname(e.full, pkg), "enum", e)
    return symbols, parsed, alt_names


def resolve(symbols, name, scope):
    """A type name as protoc resolves it: absolute, else from the innermost scope outwards."""
    if name.startswith("."):
        return symbols.get(name[1:])
    parts = scope.split(".")
    while parts:
        cand = ".".join(parts) + "." + name
        if cand in symbols:
            return symbols[cand]
        parts.pop()
    return symbols.get(name)


def reachable(symbols) -> set:
    """Full names of the messages and enums the ROOTS kinds reach."""
    used = set()

    def visit(m):
        if m.full in used:
            return
        used.add(m.full)
        for f in m.fields:
            t = f["type"]
            for tn in [t[2]] if isinstance(t, tuple) else [t]:
                if tn in SCALAR or tn in WKT:
                    continue
                s = resolve(symbols, tn, m.full)
                if s is None:
                    print("UNRESOLVED", m.full, tn, file=sys.stderr)
                    continue
                if s[2] == "msg":
                    visit(s[3])
                else:
                    used.add(s[3].full)

    for full, s in list(symbols.items()):
        if s[2] == "msg" and s[3].parent is None and s[3].name in ROOTS and full.startswith("istio."):
            visit(s[3])
    return used


class _Module:
    """One generated module: its enum aliases, classes and the names it imports from other modules."""

    def __init__(self, mod, pkg, symbols, used, alt_names):
        self.mod, self.pkg, self.symbols, self.used, self.alt_names = mod, pkg, symbols, used, alt_names
        self.imports, self.enum_lines, self.class_blocks = {}, [], []

    def typ(self, tn, scope):
        if tn in SCALAR:
            return SCALAR[tn]
        if tn in WKT:
            return WKT[tn]
        s = resolve(self.symbols, tn, scope)
        if s is None:
            return "Struct"
        if s[0] != self.mod:
            self.imports.setdefault(s[0], set()).add(s[1])
        return s[1]

    def enum(self, e):
        if e.full not in self.used:
            return
        vals = ", ".join(repr(v) for v in e.values)
        self.enum_lines.append(f"{pyname(e.full, self.pkg)} = Literal[{vals}]")

    def field_lines(self, m, f):
        t = f["type"]
        if isinstance(t, tuple):
            key = "str" if t[1] == "string" else "IntKey"  # YAML writes integer keys bare, JSON quotes them
            a = f"dict[{key}, {self.typ(t[2], m.full)}]"
        else:
            a = self.typ(t, m.full)
            if f["label"] == "repeated":
                a = f"list[{a}]"
        j = camel(f["name"])
        required = "REQUIRED" in f["opts"]
        if j in RESERVED:
            pn = j + "_"
            default = f"Field(alias={j!r})" if required else f"Field(None, alias={j!r})"
        else:
            pn = j
            default = None if required else "None"
        ann = a if required else f"{a} | None"
        lines = [f"    {pn}: {ann}" + (f" = {default}" if default else "")]
        for alt, field_name in self.alt_names:
            if field_name == f["name"]:
                lines.append(f"    {alt}: {a} | None = None  # altName of {j} in the CRD")
        return lines

    def message(self, m):
        if m.full not in self.used:
            return
        for e in m.enums:
            self.enum(e)
        for n in m.nested:
            self.message(n)
        name = pyname(m.full, self.pkg)
        oneofs_present = any(len(v) > 1 for v in m.oneofs.values())
        lines = [f"class {name}(OneofMessage):" if oneofs_present else f"class {name}(Message):"]
        oneofs = {k: tuple(camel(x) for x in v) for k, v in m.oneofs.items() if len(v) > 1}
        if oneofs:
            lines.append(f"    __oneofs__ = {tuple(oneofs.values())!r}")
        for f in m.fields:
            lines += self.field_lines(m, f)
        if len(lines) == 1 or (len(lines) == 2 and oneofs):
            lines.append("    pass")
        self.class_blocks.append("\n".join(lines))

    def text(self, path, ref):
        body = "\n\n\n".join(self.class_blocks)
        return "\n".join(self.header(body, path, ref)) + "\n\n" + ("\n".join(self.enum_lines) + "\n\n\n" if self.enum_lines else "\n") + body + "\n"

    def header(self, body, path, ref):
        need = set()
        for w in ["StrictBool", "Int32", "UInt32", "Int64", "UInt64", "Float", "Duration", "Struct", "IntKey"]:
            if re.search(rf"\b{w}\b", body):
                need.add(w)
        if "(Message)" in body:
            need.add("Message")
        if "(OneofMessage)" in body:
            need.add("OneofMessage")
        hdr = [
            f'"""Spec models for `{path}` (istio/api {ref}).',
            "",
            "Generated by ``config/models/generate.py`` from the proto field list: names in protobuf JSON",
            'form (lowerCamelCase), enums by name, wrappers as plain values, REQUIRED fields required."""',
            "",
            "from __future__ import annotations",
            "",
        ]
        typing = ["Literal"] if self.enum_lines else []
        if "Any]" in body or ": Any" in body:
            typing.insert(0, "Any")
        if typing:
            hdr.append(f"from typing import {', '.join(typing)}")
        hdr.append("")
        if "Field(" in body:
            hdr.append("from pydantic import Field")
        hdr.append("")
        hdr.append(f"from istio_notebook.config.models.base import {', '.join(sorted(need))}")
        for m2, names in sorted(self.imports.items()):
            hdr.append(f"from istio_notebook.config.models.{m2} import {', '.join(sorted(names))}")
        return hdr


def main(argv: list[str]) -> None:
    repo, dest = argv[1], argv[2]
    ref = argv[3] if len(argv) > 3 else "HEAD"
    symbols, parsed, alt_names = load(repo, ref)
    used = reachable(symbols)
    out = {}
    for mod, (pkg, msgs, enums, path) in parsed.items():
        module = _Module(mod, pkg, symbols, used, alt_names)
        for e in enums:
            module.enum(e)
        for m in msgs:
            module.message(m)
        if module.class_blocks or module.enum_lines:
            out[mod] = module.text(path, ref)
    for mod, text in out.items():
        open(os.path.join(dest, mod + ".py"), "w").write(text)
    print("wrote", sorted(out))


if __name__ == "__main__":
    main(sys.argv)
