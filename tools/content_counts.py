"""Counts the knowledge base's pages and examples (issue 19's targets) and prints the figures.

    .venv/bin/python tools/content_counts.py [docs]

Content pages: Markdown pages under docs/ outside reference/, reports/ and contributing/.
Checked examples: ```yaml fences without `unchecked=` (scenario members, expect="..." examples
and fragments are all validated, see docs/contributing/syntax.md). Checks: the requests in
```check fences (blank-line separated). An unchecked fence without a reason is listed.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from istio_notebook.config.markdown import iter_fences, unbraced

EXCLUDED = ("reference", "reports", "contributing")
_UNCHECKED = re.compile(r'\bunchecked="([^"]*)"')


@dataclass
class Counts:
    pages: int = 0
    yaml: int = 0
    unchecked: int = 0
    expect: int = 0
    fragments: int = 0
    check_fences: int = 0
    checks: int = 0
    no_reason: list[str] = field(default_factory=list)


def is_content_page(path: Path, docs: Path) -> bool:
    parts = path.relative_to(docs).parts
    return len(parts) == 1 or parts[0] not in EXCLUDED


def count_page(path: Path, docs: Path, counts: Counts) -> None:
    for fence in iter_fences(path.read_text(encoding="utf-8")):
        info = unbraced(fence.info)
        if fence.language in ("yaml", "yml"):
            counts.yaml += 1
            reason = _UNCHECKED.search(info)
            if reason is not None:
                counts.unchecked += 1
                if not reason.group(1).strip():
                    counts.no_reason.append(f"{path.relative_to(docs)}:{fence.start_line}")
            elif "expect=" in info:
                counts.expect += 1
            elif "fragment=" in info:
                counts.fragments += 1
        elif fence.language == "check":
            counts.check_fences += 1
            counts.checks += sum(1 for block in re.split(r"\n\s*\n", fence.body) if _has_request(block))


def _has_request(block: str) -> bool:
    return any(line.strip() and not line.lstrip().startswith(("#", "@", "→", "=>")) for line in block.splitlines())


def main(argv: list[str]) -> int:
    docs = Path(argv[1] if len(argv) > 1 else "docs")
    if not docs.is_dir():
        print(f"{docs}: not a directory", file=sys.stderr)
        return 2
    counts = Counts()
    for path in sorted(docs.rglob("*.md")):
        if is_content_page(path, docs):
            counts.pages += 1
            count_page(path, docs, counts)
    checked = counts.yaml - counts.unchecked
    print(f"content pages (outside {', '.join(EXCLUDED)}): {counts.pages}")
    print(f"YAML examples: {counts.yaml}, checked: {checked} "
          f"(of which expect: {counts.expect}, fragments: {counts.fragments}), unchecked with a reason: {counts.unchecked}")
    print(f"check fences: {counts.check_fences}, checks (requests): {counts.checks}")
    for where in counts.no_reason:
        print(f"{where}: unchecked without a reason")
    return 1 if counts.no_reason else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
