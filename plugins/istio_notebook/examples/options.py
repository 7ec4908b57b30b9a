"""Fence info strings → options, in pymdownx.superfences' ``key="value"`` style."""

from __future__ import annotations

import re

from istio_notebook.config.markdown import fence_language, unbraced

_OPTION = re.compile(r"""([A-Za-z_][\w-]*)=(?:"([^"]*)"|'([^']*)'|([^\s"'}]+))""")


def parse_info(info: str) -> tuple[str, dict[str, str]]:
    """``'yaml title="vs.yaml" expect="IST0101"'`` → ``("yaml", {"title": ..., "expect": ...})``.

    The brace form ``{.yaml title="x"}`` is accepted too. Words that are not ``key=value`` (such
    as ``linenums``' shorthand) are ignored here; superfences still sees the whole string.
    """
    text = unbraced(info)
    language = fence_language(info)
    words = text.split(None, 1)
    rest = (words[1] if len(words) > 1 else "") if language else text
    options: dict[str, str] = {}
    for match in _OPTION.finditer(rest):
        value = next(v for v in match.groups()[1:] if v is not None)
        options[match[1]] = value
    return language, options


def add_option(info_line: str, key: str, value: str) -> str:
    """Append ``key="value"`` to a fence's opening line (inside braces for the brace form)."""
    stripped = info_line.rstrip()
    if stripped.endswith("}"):
        return f'{stripped[:-1].rstrip()} {key}="{value}"}}'
    return f'{stripped} {key}="{value}"'
