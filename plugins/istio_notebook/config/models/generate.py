"""Regenerate the spec models from an istio/api checkout (a maintainer tool, not used at run time).

    python -m istio_notebook.config.models.generate /path/to/istio/api plugins/istio_notebook/config/models 1.30.3

The third argument is the istio/api release tag to read (a bare clone is enough): generate from
the tag of the Istio release the site documents, never from master, whose protos carry fields
that release does not know. The tag is written into each module's docstring.

Reads only the field lists of the protos (names, types, labels, oneofs, REQUIRED) and writes one
module per proto file (then `ruff format --line-length 140` and `ruff check --select I --fix`
them). Hand-written modules (base, kubernetes, istio_operator, registry, parse) are untouched.
"""

import keyword
import os
import re
import subprocess
import sys

from pydantic import BaseModel

TOK = re.compile(
    r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|[A-Za-z_][A-Za-z0-9_.]*|\.[A-Za-z_][A-Za-z0-9_.]*|-?\d+(?:\.\d+)?|[{}\[\]<>=;,()]|\S'
)


def strip_comments(s):
    return re.sub(r"//[^\n]*|/\*.*?\*/", "", s, flags=re.S)


class Msg:
    def __init__(s, name, full, parent):
        s.name = name
        s.full = full
        s.fields = []
        s.nested = []
        s.enums = []
        s.oneofs = {}
        s.parent = parent


class Enum:
    def __init__(s, name, full):
        s.name = name
        s.full = full
        s.values = []


def parse(text, pkg_hint=None):
    toks = TOK.findall(strip_comments(text))
    i = 0
    pkg = ""
    msgs = []
    enums = []

    def skip_stmt():
        nonlocal i
        depth = 0
        while i < len(toks):
            t = toks[i]
            i += 1
            if t in "{[(":
                depth += 1
            elif t in "}])":
                depth -= 1
            elif t == ";" and depth == 0:
                return

    def skip_brackets():
        nonlocal i
        if toks[i] == "[":
            depth = 0
            while True:
                t = toks[i]
                i += 1
                if t == "[":
                    depth += 1
                elif t == "]":
                    depth -= 1
                    if depth == 0:
                        break

    def parse_enum(prefix):
        nonlocal i
        name = toks[i + 1]
        i += 3
        e = Enum(name, prefix + name)
        while toks[i] != "}":
            if toks[i] in ("option", "reserved"):
                skip_stmt()
                continue
            vname = toks[i]
            i += 3  # name = N
            skip_brackets()
            assert toks[i] == ";", toks[i - 3 : i + 2]
            i += 1
            e.values.append(vname)
        i += 1
        return e

    def parse_field(m, oneof=None):
        nonlocal i
        label = None
        if toks[i] in ("repeated", "optional"):
            label = toks[i]
            i += 1
        if toks[i] == "map":
            k = toks[i + 2]
            v = toks[i + 4]
            i += 6
            typ = ("map", k, v)
        else:
            typ = toks[i]
            i += 1
        name = toks[i]
        i += 3
        opts = []
        if toks[i] == "[":
            j = i
            skip_brackets()
            opts = toks[j:i]
        assert toks[i] == ";", (m.full, name, toks[i - 5 : i + 3])
        i += 1
        m.fields.append(dict(label=label, type=typ, name=name, oneof=oneof, opts=opts))

    def parse_msg(prefix, parent):
        nonlocal i
        name = toks[i + 1]
        i += 3
        m = Msg(name, prefix + name, parent)
        while toks[i] != "}":
            t = toks[i]
            if t == "message":
                m.nested.append(parse_msg(m.full + ".", m))
            elif t == "enum":
                m.enums.append(parse_enum(m.full + "."))
            elif t in ("option", "reserved", "extensions"):
                skip_stmt()
            elif t == "oneof":
                oname = toks[i + 1]
                i += 3
                m.oneofs[oname] = []
                while toks[i] != "}":
                    if toks[i] == "option":
                        skip_stmt()
                        continue
                    parse_field(m, oname)
                    m.oneofs[oname].append(m.fields[-1]["name"])
                i += 1
            elif t == ";":
                i += 1
            else:
                parse_field(m)
        i += 1
        return m

    while i < len(toks):
        t = toks[i]
        if t == "package":
            pkg = toks[i + 1]
            i += 3
        elif t == "message":
            msgs.append(parse_msg(pkg + ".", None))
        elif t == "enum":
            enums.append(parse_enum(pkg + "."))
        else:
            skip_stmt()
    return pkg, msgs, enums


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


# symbol table: full name -> (module, python name, kind, obj)


def main(argv: list[str]) -> None:
    REPO = argv[1]
    REF = argv[3] if len(argv) > 3 else "HEAD"
    symbols = {}
    parsed = {}

    def pyname(full, pkg):
        return full[len(pkg) + 1 :].replace(".", "")

    alt_names: set[tuple[str, str]] = set()  # (alternative JSON name, proto field name)

    for path, mod in FILES.items():
        text = subprocess.run(["git", "-C", REPO, "show", f"{REF}:{path}"], capture_output=True, text=True, check=True).stdout
        pkg, msgs, enums = parse(text)
        parsed[mod] = (pkg, msgs, enums, path)
        # `+kubebuilder:altName=x` in a field's comment: the CRD also accepts that JSON name.
        alt_names.update(re.findall(r"\+kubebuilder:altName=(\w+)\n(?:\s*//[^\n]*\n)*\s*[\w.<>, ]+?\s(\w+)\s*=\s*\d+", text))

        def reg(ms):
            for m in ms:
                symbols[m.full] = (mod, pyname(m.full, pkg), "msg", m)
                for e in m.enums:
                    symbols[e.full] = (mod, pyname(e.full, pkg), "enum", e)
                reg(m.nested)

        reg(msgs)
        for e in enums:
            symbols[e.full] = (mod, pyname(e.full, pkg), "enum", e)

    def resolve(name, scope):
        if name.startswith("."):
            return symbols.get(name[1:])
        parts = scope.split(".")
        while parts:
            cand = ".".join(parts) + "." + name
            if cand in symbols:
                return symbols[cand]
            parts.pop()
        return symbols.get(name)

    used = set()  # reachable full names

    def visit(m):
        if m.full in used:
            return
        used.add(m.full)
        for f in m.fields:
            t = f["type"]
            for tn in [t[2]] if isinstance(t, tuple) else [t]:
                if tn in SCALAR or tn in WKT:
                    continue
                s = resolve(tn, m.full)
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

    def typ(tn, scope, mod, imports):
        if tn in SCALAR:
            return SCALAR[tn]
        if tn in WKT:
            return WKT[tn]
        s = resolve(tn, scope)
        if s is None:
            return "Struct"
        if s[0] != mod:
            imports.setdefault(s[0], set()).add(s[1])
        return s[1]

    out = {}
    for mod, (pkg, msgs, enums, path) in parsed.items():
        imports = {}
        enum_lines, class_blocks = [], []

        def emit_enum(e):
            if e.full not in used:
                return
            vals = ", ".join(repr(v) for v in e.values)
            enum_lines.append(f"{pyname(e.full, pkg)} = Literal[{vals}]")

        def emit_msg(m):
            if m.full not in used:
                return
            for e in m.enums:
                emit_enum(e)
            for n in m.nested:
                emit_msg(n)
            name = pyname(m.full, pkg)
            oneofs_present = any(len(v) > 1 for v in m.oneofs.values())
            lines = [f"class {name}(OneofMessage):" if oneofs_present else f"class {name}(Message):"]
            oneofs = {k: tuple(camel(x) for x in v) for k, v in m.oneofs.items() if len(v) > 1}
            if oneofs:
                lines.append(f"    __oneofs__ = {tuple(oneofs.values())!r}")
            for f in m.fields:
                t = f["type"]
                if isinstance(t, tuple):
                    key = "str" if t[1] == "string" else "IntKey"  # YAML writes integer keys bare, JSON quotes them
                    a = f"dict[{key}, {typ(t[2], m.full, mod, imports)}]"
                else:
                    a = typ(t, m.full, mod, imports)
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
                lines.append(f"    {pn}: {ann}" + (f" = {default}" if default else ""))
                for alt, field_name in alt_names:
                    if field_name == f["name"]:
                        lines.append(f"    {alt}: {a} | None = None  # altName of {j} in the CRD")
            if len(lines) == 1 or (len(lines) == 2 and oneofs):
                lines.append("    pass")
            class_blocks.append("\n".join(lines))

        for e in enums:
            emit_enum(e)
        for m in msgs:
            emit_msg(m)
        if not class_blocks and not enum_lines:
            continue
        body = "\n\n\n".join(class_blocks)
        need = set()
        for w in ["StrictBool", "Int32", "UInt32", "Int64", "UInt64", "Float", "Duration", "Struct", "IntKey"]:
            if re.search(rf"\b{w}\b", body):
                need.add(w)
        if "(Message)" in body:
            need.add("Message")
        if "(OneofMessage)" in body:
            need.add("OneofMessage")
        hdr = [
            f'"""Spec models for `{path}` (istio/api {REF}).',
            "",
            "Generated by ``config/models/generate.py`` from the proto field list: names in protobuf JSON",
            'form (lowerCamelCase), enums by name, wrappers as plain values, REQUIRED fields required."""',
            "",
            "from __future__ import annotations",
            "",
        ]
        typing = ["Literal"] if enum_lines else []
        if "Any" in body.replace("Any]", "Any]"):
            if "Any]" in body or ": Any" in body:
                typing.insert(0, "Any")
        if typing:
            hdr.append(f"from typing import {', '.join(typing)}")
        hdr.append("")
        if "Field(" in body:
            hdr.append("from pydantic import Field")
        hdr.append("")
        hdr.append(f"from istio_notebook.config.models.base import {', '.join(sorted(need))}")
        for m2, names in sorted(imports.items()):
            hdr.append(f"from istio_notebook.config.models.{m2} import {', '.join(sorted(names))}")
        text = "\n".join(hdr) + "\n\n" + ("\n".join(enum_lines) + "\n\n\n" if enum_lines else "\n") + body + "\n"
        out[mod] = text
    dest = argv[2]
    for mod, text in out.items():
        open(os.path.join(dest, mod + ".py"), "w").write(text)
    print("wrote", sorted(out))


if __name__ == "__main__":
    main(sys.argv)
