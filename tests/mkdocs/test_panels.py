"""Generated panels leave the page content before search indexes it and come back in the output."""

from __future__ import annotations

import json

import pytest
from test_build import build, make_site  # tests/mkdocs/test_build.py: the temporary-site helpers

from istio_notebook.markdown import panels

CODE = '<div class="highlight"><pre><code>kind: VirtualService</code></pre></div>'
HTML = f'<div class="inb-example"><p>badge</p><div class="tabbed-set">{CODE}</div><div>diagram</div></div>'


def test_defer_keeps_only_the_code_and_attach_restores_the_html():
    kept: dict[str, str] = {}
    content = panels.defer(kept, HTML, CODE)
    assert CODE in content and "badge" not in content and "diagram" not in content
    assert panels.attach(f"<main>{content}</main>", kept) == f"<main>{HTML}</main>"


def test_several_examples_on_a_page_get_their_own_markers():
    kept: dict[str, str] = {}
    first = panels.defer(kept, HTML, CODE)
    second = panels.defer(kept, HTML.replace("badge", "other badge"), CODE)
    assert first != second
    assert panels.attach(first + second, kept) == HTML + HTML.replace("badge", "other badge")


def test_html_without_the_code_is_not_deferred():
    kept: dict[str, str] = {}
    assert panels.defer(kept, HTML, "<pre>something else</pre>") == HTML
    assert kept == {}


def test_a_marker_without_panel_is_dropped():
    assert panels.attach("a<!--inb-panel:7-->b", {"0": "x"}) == "ab"


SEARCH_YML_PLUGINS = "plugins:\n  - search\n  - istio-notebook\n"


@pytest.mark.slow
def test_search_indexes_the_examples_code_but_not_the_generated_panels(tmp_path):
    site = make_site(tmp_path)
    yml = site / "mkdocs.yml"
    yml.write_text(yml.read_text().replace("plugins:\n  - istio-notebook\n", SEARCH_YML_PLUGINS), encoding="utf-8")
    done = build(site)
    assert done.returncode == 0, done.stderr
    index = json.loads((site / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))
    indexed = " ".join(doc["text"] for doc in index["docs"])
    assert "VirtualService" in indexed and "curl http://reviews:9080/reviews/1" in indexed  # the code, as written
    for generated in ("flowchart", "got reviews v1", "チェック 0/1 成立", "inb-badge"):
        assert generated not in indexed, generated
    html = (site / "site" / "index.html").read_text(encoding="utf-8")
    assert "flowchart" in html and "got reviews v1" in html and "tabbed-set" in html  # but the page shows them
    assert "<!--inb-panel:" not in html


def test_the_search_index_text_loses_its_markup_not_its_words():
    from istio_notebook.reading.search_hooks import plain_text

    assert plain_text("<p>The <code>hosts</code> field</p> <ul><li>one</li><li>two</li></ul>") == "The hosts field one two"
    assert plain_text("<p><code>VirtualService</code>（仮想サービス）</p>") == "VirtualService（仮想サービス）"
