"""The istio_notebook.markdown extension alone (as Zensical runs it): it fails on a broken page with
page:line and reason, and keeps each page's state on its own Markdown instance."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import markdown
import pytest
from golden_render import FENCES, render
from mkdocs.utils.meta import get_data
from test_build import PAGE

from istio_notebook.markdown.extension import ExampleFailure
from istio_notebook.markdown.source import PageSource

GOLDEN = Path(__file__).parent / "golden"


def convert_alone(text: str, file: str, fixtures: Path, **options) -> str:
    """One page through the extension with no builder plugin (no host), as under Zensical."""
    md = markdown.Markdown(
        extensions=["attr_list", "md_in_html", "tables", "pymdownx.highlight", "pymdownx.tabbed", "istio_notebook.markdown", "pymdownx.superfences"],
        extension_configs={
            "pymdownx.tabbed": {"alternate_style": True},
            "istio_notebook.markdown": {"page": PageSource(text, file, fixtures.parent, fixtures.parent), "cache_dir": "", **options},
            "pymdownx.superfences": {"custom_fences": FENCES},
        },
    )
    return md.convert(get_data(text)[0])


def test_a_broken_page_raises_every_failure_with_page_line_and_reason():
    with pytest.raises(ExampleFailure) as raised:
        convert_alone(PAGE, "docs/index.md", GOLDEN / "fixtures")
    lines = str(raised.value).splitlines()
    assert lines[0].startswith('docs/index.md:29 [IST0101] Referenced host+subset in destinationrule not found: "reviews+v9"'), lines
    assert lines[1] == "docs/index.md:36 [INB3020] check failed: expected reviews v2, got reviews v1 (rule 1 of default/reviews)"


def test_without_strict_claims_a_false_claim_does_not_fail_the_page():
    with pytest.raises(ExampleFailure) as raised:
        convert_alone(PAGE, "docs/index.md", GOLDEN / "fixtures", strict_claims=False)
    assert [line.split(" ")[1] for line in str(raised.value).splitlines()] == ["[IST0101]"]


def test_alone_the_panels_are_in_the_page_as_under_the_plugin():
    # Under MkDocs the plugin attaches the panels after search indexing; alone the extension does, at the end of the conversion.
    text = (GOLDEN / "verified.md").read_text(encoding="utf-8")
    alone = convert_alone(text, "golden/verified.md", GOLDEN / "fixtures")
    assert alone + "\n" == (GOLDEN / "verified.html").read_text(encoding="utf-8")


def test_pages_rendered_in_parallel_threads_do_not_see_each_other():
    cases = ["verified", "errors", "nested"] * 3
    texts = {c: (GOLDEN / f"{c}.md").read_text(encoding="utf-8") for c in set(cases)}
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(lambda c: render(texts[c], f"golden/{c}.md", GOLDEN / "fixtures"), cases))
    assert parallel == [(GOLDEN / f"{c}.html").read_text(encoding="utf-8") for c in cases]


def test_a_plain_markdown_call_renders_plain_code():
    html = markdown.markdown("```yaml\na: 1\n```\n", extensions=["istio_notebook.markdown", "pymdownx.superfences"], extension_configs={"pymdownx.superfences": {"custom_fences": FENCES}})
    assert "inb-badge" not in html and "highlight" in html


def test_under_zensical_serve_a_broken_page_is_shown_and_logged_not_raised(monkeypatch, caplog):
    # `zensical serve` ends when a page raises (tried on 0.0.73): there the failures are shown and logged.
    monkeypatch.setattr("sys.argv", ["/venv/bin/zensical", "serve"])
    with caplog.at_level("WARNING", logger="mkdocs.plugins.istio_notebook"):
        html = convert_alone(PAGE, "docs/index.md", GOLDEN / "fixtures")
    assert "inb-badge--error" in html and "expected reviews v2, got reviews v1" in html
    assert [r.getMessage().split(" ")[0] for r in caplog.records] == ["docs/index.md:29", "docs/index.md:36"]
