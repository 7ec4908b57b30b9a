"""End-to-end: real `mkdocs build` runs on a temporary site and on the repository's site."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from istio_notebook.markdown.cache import DEFAULT_DIR as DEFAULT_CACHE_DIR

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = (Path(__file__).parent / "golden" / "fixtures" / "reviews.yaml").read_text(encoding="utf-8")

MKDOCS_YML = textwrap.dedent(
    """\
    site_name: e2e
    theme:
      name: material
      language: ja
    plugins:
      - istio-notebook
    markdown_extensions:
      - attr_list
      - md_in_html
      - tables
      - pymdownx.highlight
      - pymdownx.tabbed:
          alternate_style: true
      - istio_notebook.markdown
      - pymdownx.superfences:
          custom_fences:
            - name: mermaid
              class: mermaid
              format: !!python/name:pymdownx.superfences.fence_code_format
            - name: yaml
              class: highlight
              validator: !!python/name:istio_notebook.markdown.fences.validate
              format: !!python/name:istio_notebook.markdown.fences.format_yaml
            - name: check
              class: highlight
              validator: !!python/name:istio_notebook.markdown.fences.validate
              format: !!python/name:istio_notebook.markdown.fences.format_check
    """
)

PAGE = """\
---
fixtures: [reviews]
---
# e2e

```yaml
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
spec:
  host: reviews
  subsets:
  - name: v1
    labels: {version: v1}
```

```yaml
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts: [reviews]
  http:
  - match:
    - uri: {prefix: /broken}
    route:
    - destination: {host: reviews, subset: v9}
  - route:
    - destination: {host: reviews, subset: v1}
```

```check
# a false claim
curl http://reviews:9080/reviews/1
→ reviews v2
```
"""


def make_site(tmp_path: Path, page: str = PAGE) -> Path:
    (tmp_path / "docs" / "fixtures").mkdir(parents=True)
    (tmp_path / "docs" / "fixtures" / "reviews.yaml").write_text(FIXTURE, encoding="utf-8")
    (tmp_path / "docs" / "index.md").write_text(page, encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    return tmp_path


def build(site: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", str(site / "mkdocs.yml"), "-d", str(site / "site"), *args],
        capture_output=True,
        text=True,
        cwd=site,
        env={"PATH": "/usr/bin:/bin", "NO_MKDOCS_2_WARNING": "1", "HOME": str(site)},
        timeout=300,
    )


@pytest.mark.slow
def test_strict_build_fails_naming_page_line_and_reason(tmp_path):
    site = make_site(tmp_path)
    done = build(site, "--strict")
    log = done.stdout + done.stderr
    assert done.returncode == 1, log
    assert "Traceback" not in log
    # The broken example: subset v9 is defined by no DestinationRule (line 29 of the page).
    assert re.search(r"WARNING\s+-\s+docs/index\.md:29 \[IST0101\] .*reviews\+v9", log), log
    # The false claim, with what actually happens.
    assert "docs/index.md:36 [INB3020] check failed: expected reviews v2, got reviews v1 (rule 1 of default/reviews)" in log, log


@pytest.mark.slow
def test_non_strict_build_shows_the_problems_on_the_page_and_reuses_the_cache(tmp_path):
    site = make_site(tmp_path)
    first = build(site, "--verbose")
    assert first.returncode == 0, first.stderr
    html = (site / "site" / "index.html").read_text(encoding="utf-8")
    assert "inb-badge--error" in html and "reviews+v9" in html
    assert "expected reviews v2, got reviews v1" in html
    assert len(list((site / DEFAULT_CACHE_DIR / "pages").glob("*.json"))) == 1
    assert "cache: 0 hits, 1 misses" in first.stderr
    second = build(site, "--verbose")
    assert "cache: 1 hits, 0 misses" in second.stderr, second.stderr
    # A changed page is re-checked; the result follows the new text.
    (site / "docs" / "index.md").write_text(PAGE.replace("→ reviews v2", "→ reviews v1").replace("subset: v9", "subset: v1"), encoding="utf-8")
    third = build(site, "--strict", "--verbose")
    assert third.returncode == 0, third.stderr
    assert "cache: 0 hits, 1 misses" in third.stderr


@pytest.mark.slow
def test_disabled_plugin_renders_plain_code(tmp_path):
    site = make_site(tmp_path)
    yml = site / "mkdocs.yml"
    yml.write_text(yml.read_text().replace("  - istio-notebook\n", "  - istio-notebook:\n      enabled: false\n"), encoding="utf-8")
    done = build(site, "--strict")
    assert done.returncode == 0, done.stderr
    html = (site / "site" / "index.html").read_text(encoding="utf-8")
    assert "inb-badge" not in html and "subset" in html


@pytest.mark.slow
def test_the_real_site_builds_strictly(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "NO_MKDOCS_2_WARNING": "1", "HOME": str(tmp_path)},
        timeout=600,
    )
    problems = [line for line in done.stderr.splitlines() if line.startswith(("WARNING", "ERROR"))]
    assert done.returncode == 0, "\n".join(problems[:60]) or done.stderr[-3000:]
    # Every deferred panel went back into its page (istio_notebook.markdown.panels).
    leftovers = [p.name for p in (tmp_path / "site").rglob("*.html") if "<!--inb-panel:" in p.read_text(encoding="utf-8")]
    assert not leftovers, leftovers
