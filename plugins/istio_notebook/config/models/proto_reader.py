"""The proto reader of the model generator (generate.py): messages, enums, fields, oneofs of a .proto file.

Reads only what the models need (names, types, labels, oneofs, field options); options,
reserved ranges and extensions are skipped. A maintainer tool, not used at run time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

TOK = re.compile(
    r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|[A-Za-z_][A-Za-z0-9_.]*|\.[A-Za-z_][A-Za-z0-9_.]*|-?\d+(?:\.\d+)?|[{}\[\]<>=;,()]|\S'
)


def strip_comments(s):
    return re.sub(r"//[^\n]*|/\*.*?\*/", "", s, flags=re.S)


@dataclass(eq=False)
class Enum:
    name: str
    full: str
    values: list = field(default_factory=list)


@dataclass(eq=False)
class Msg:
    name: str
    full: str
    parent: Msg | None
    fields: list = field(default_factory=list)  # dicts: label, type (str or ("map", k, v)), name, oneof, opts
    nested: list = field(default_factory=list)
    enums: list = field(default_factory=list)
    oneofs: dict = field(default_factory=dict)  # oneof name -> field names


class _Reader:
    def __init__(self, text: str):
        self.toks = TOK.findall(strip_comments(text))
        self.i = 0

    def skip_stmt(self) -> None:
        depth = 0
        while self.i < len(self.toks):
            t = self.toks[self.i]
            self.i += 1
            if t in "{[(":
                depth += 1
            elif t in "}])":
                depth -= 1
            elif t == ";" and depth == 0:
                return

    def skip_brackets(self) -> None:
        if self.toks[self.i] != "[":
            return
        depth = 0
        while True:
            t = self.toks[self.i]
            self.i += 1
            if t == "[":
                depth += 1
            elif t == "]":
                depth -= 1
                if depth == 0:
                    break

    def enum(self, prefix: str) -> Enum:
        toks = self.toks
        name = toks[self.i + 1]
        self.i += 3
        e = Enum(name, prefix + name)
        while toks[self.i] != "}":
            if toks[self.i] in ("option", "reserved"):
                self.skip_stmt()
                continue
            vname = toks[self.i]
            self.i += 3  # name = N
            self.skip_brackets()
            assert toks[self.i] == ";", toks[self.i - 3 : self.i + 2]
            self.i += 1
            e.values.append(vname)
        self.i += 1
        return e

    def field(self, m: Msg, oneof: str | None = None) -> None:
        toks = self.toks
        label = None
        if toks[self.i] in ("repeated", "optional"):
            label = toks[self.i]
            self.i += 1
        if toks[self.i] == "map":
            typ = ("map", toks[self.i + 2], toks[self.i + 4])
            self.i += 6
        else:
            typ = toks[self.i]
            self.i += 1
        name = toks[self.i]
        self.i += 3
        opts = []
        if toks[self.i] == "[":
            j = self.i
            self.skip_brackets()
            opts = toks[j : self.i]
        assert toks[self.i] == ";", (m.full, name, toks[self.i - 5 : self.i + 3])
        self.i += 1
        m.fields.append(dict(label=label, type=typ, name=name, oneof=oneof, opts=opts))

    def oneof(self, m: Msg) -> None:
        oname = self.toks[self.i + 1]
        self.i += 3
        m.oneofs[oname] = []
        while self.toks[self.i] != "}":
            if self.toks[self.i] == "option":
                self.skip_stmt()
                continue
            self.field(m, oname)
            m.oneofs[oname].append(m.fields[-1]["name"])
        self.i += 1

    def message(self, prefix: str, parent: Msg | None) -> Msg:
        name = self.toks[self.i + 1]
        self.i += 3
        m = Msg(name, prefix + name, parent)
        while self.toks[self.i] != "}":
            t = self.toks[self.i]
            if t == "message":
                m.nested.append(self.message(m.full + ".", m))
            elif t == "enum":
                m.enums.append(self.enum(m.full + "."))
            elif t in ("option", "reserved", "extensions"):
                self.skip_stmt()
            elif t == "oneof":
                self.oneof(m)
            elif t == ";":
                self.i += 1
            else:
                self.field(m)
        self.i += 1
        return m


def parse(text, pkg_hint=None):
    """A .proto file → (package, top-level messages, top-level enums)."""
    reader = _Reader(text)
    pkg, msgs, enums = "", [], []
    while reader.i < len(reader.toks):
        t = reader.toks[reader.i]
        if t == "package":
            pkg = reader.toks[reader.i + 1]
            reader.i += 3
        elif t == "message":
            msgs.append(reader.message(pkg + ".", None))
        elif t == "enum":
            enums.append(reader.enum(pkg + "."))
        else:
            reader.skip_stmt()
    return pkg, msgs, enums
