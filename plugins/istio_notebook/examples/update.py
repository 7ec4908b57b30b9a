"""``--update-examples``: write what actually happens back into a failing check's ``→`` lines."""

from __future__ import annotations

from pathlib import Path

from istio_notebook.examples.expectations import ARROWS
from istio_notebook.examples.model import CheckResult


def rewrite_lines(text: str, result: CheckResult) -> tuple[str, int]:
    """The text with each failing expectation line replaced by the actual outcome (same arrow, same indent)."""
    lines = text.split("\n")
    changed = 0
    for expectation in result.check.expectations:
        actual = result.actual.get(expectation.line)
        index = expectation.line - 1
        if expectation.line not in result.failing or not actual or not 0 <= index < len(lines):
            continue
        line = lines[index]
        stripped = line.lstrip()
        arrow = next((a for a in ARROWS if stripped.startswith(a)), None)
        if arrow is None or stripped[len(arrow):].strip() != expectation.text:
            continue  # the file changed since it was read: leave it alone
        lines[index] = f"{line[: len(line) - len(stripped)]}{arrow} {actual}"
        changed += 1
    return "\n".join(lines), changed


def update_expectations(path: str | Path, result: CheckResult) -> int:
    """Rewrite the file in place; returns how many lines changed."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    new, changed = rewrite_lines(text, result)
    if changed:
        path.write_text(new, encoding="utf-8")
    return changed
