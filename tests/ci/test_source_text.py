"""Every string constant in the package can be written as UTF-8.

The playground's build compiles the package inside Pyodide from source text it re-encodes
(tools/playground/precompile.py); a lone surrogate written as an escape in a docstring
(``"\\ud800"`` instead of ``"\\\\ud800"``) makes that build fail, and only the browser tests would
tell. Code that needs such a character builds it at run time (``chr(0xD800)``).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "plugins" / "istio_notebook"


def test_no_string_constant_holds_a_lone_surrogate():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                try:
                    node.value.encode("utf-8")
                except UnicodeEncodeError:
                    found.append(f"{path.relative_to(PACKAGE.parents[1])}:{node.lineno}")
    assert found == []
