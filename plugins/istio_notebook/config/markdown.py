"""Find fenced code blocks in Markdown, with the file line where their body starts.

Only the fence grammar is handled here (backtick and tilde fences, indented inside lists,
admonitions and content tabs); what the info string means is the examples package's business.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_OPEN = re.compile(r"^(?P<indent>[ ]*)(?P<fence>`{3,}|~{3,})[ ]*(?P<info>[^`\n]*)$")


@dataclass(frozen=True)
class Fence:
    info: str  # the info string, e.g. 'yaml title="vs.yaml"'
    body: str  # dedented body text
    start_line: int  # 1-based line of the opening fence
    body_line: int  # 1-based line of the body's first line
    indent: int  # columns removed from every body line
    closed: bool

    @property
    def language(self) -> str:
        return fence_language(self.info)


def unbraced(info: str) -> str:
    """The info string without the braces of the ``{.yaml title="x"}`` form."""
    text = info.strip()
    return text[1:-1].strip() if text.startswith("{") and text.endswith("}") else text


def fence_language(info: str) -> str:
    """The fence's language, lower case (``yaml``, ``{.yaml ...}``); "" when the info string
    starts with an option instead. One rule for the loader and the example syntax."""
    words = unbraced(info).split(None, 1)
    head = words[0] if words else ""
    return head.lstrip(".").lower() if "=" not in head else ""

    @property
    def end_line(self) -> int:
        return self.body_line + self.body.count("\n")


def iter_fences(text: str) -> Iterator[Fence]:
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        match = _OPEN.match(lines[i].rstrip("\r"))
        if not match:
            i += 1
            continue
        indent = len(match["indent"])
        fence = match["fence"]
        closing = re.compile(rf"^[ ]{{0,{indent + 3}}}{re.escape(fence[0])}{{{len(fence)},}}[ ]*$")
        body: list[str] = []
        j = i + 1
        closed = False
        while j < len(lines):
            line = lines[j].rstrip("\r")
            if closing.match(line):
                closed = True
                break
            # Strip the fence's own indentation (inside admonitions, tabs, lists).
            body.append(line[indent:] if line[:indent].strip() == "" else line.lstrip(" "))
            j += 1
        yield Fence(
            info=match["info"].strip(),
            body="\n".join(body) + ("\n" if body else ""),
            start_line=i + 1,
            body_line=i + 2,
            indent=indent,
            closed=closed,
        )
        i = j + 1


def yaml_fences(text: str) -> Iterator[Fence]:
    for fence in iter_fences(text):
        if fence.language in ("yaml", "yml"):
            yield fence
