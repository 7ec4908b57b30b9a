"""IST0106 through the public command: ``istio-notebook check`` reports each schema or rule
violation once, with the file, line and column of the field, in a Markdown page as in YAML."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

from istio_notebook.cli import main

PAGE = """\
# 例

```yaml
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts: [reviews]
  http:
  - route:
    - destination:
        hots: reviews
    timeout: 0.5ms
```
"""


def _check(path: Path) -> tuple[int, list[dict]]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["check", str(path), "--format", "json"])
    return code, json.loads(out.getvalue())["diagnostics"]


def test_check_reports_schema_errors_at_the_markdown_line_of_the_field(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(PAGE, encoding="utf-8")
    code, diagnostics = _check(page)
    schema = [d for d in diagnostics if d["code"] == "IST0106"]
    assert code == 1
    # The unknown key at its own line and column; the missing one at the key of the message lacking it.
    assert sorted((d["line"], d["column"], d["message"]) for d in schema) == [
        (12, 7, "Schema validation error: spec.http[0].route[0].destination.host: required field is missing"),
        (13, 9, "Schema validation error: spec.http[0].route[0].destination.hots: unknown field"),
    ]
    assert all(d["origin"] == "VirtualService default/reviews" and d["level"] == "Error" for d in schema)


def test_semantic_rules_run_once_the_schema_passes(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(PAGE.replace("hots:", "host:"), encoding="utf-8")
    code, diagnostics = _check(page)
    assert code == 1
    assert [(d["line"], d["message"]) for d in diagnostics if d["code"] == "IST0106"] == [
        (14, "Schema validation error: spec.http[0].timeout: duration must be greater than 1ms")
    ]
