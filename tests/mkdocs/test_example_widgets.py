"""How an example's widget reads (issue 18, phase 2): the 診断 tab only when there is something to
say; diagnostics with the level in Japanese, the code linked to its entry on the code reference,
the catalogue's Japanese fix hint; a deliberately wrong example marked as such (a note, no copy
button, the lines its errors point at highlighted)."""

from __future__ import annotations

import pytest

from istio_notebook.diagnostics import Diagnostic, Level
from istio_notebook.diagnostics.catalogue import CATALOGUE
from istio_notebook.diagnostics.record import Position
from istio_notebook.examples.model import ExampleResult, YamlExample
from istio_notebook.markdown import render
from istio_notebook.markdown.source import site_root

PAGE = "docs/traffic/x.md"
BODY = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: r\nspec:\n  hosts: [r]\n"


def example(**kw) -> YamlExample:
    return YamlExample(file=PAGE, line=10, body=BODY, body_line=11, indent=0, options={}, **kw)


def diagnostic(code: str, line: int, level: Level = Level.ERROR, file: str = PAGE) -> Diagnostic:
    return Diagnostic(code, level, f"message of {code}", Position(file, line))



@pytest.mark.parametrize(("page", "root"), [("index.md", ""), ("traffic/x.md", "../../"), ("traffic/index.md", "../"), ("a/b/c.md", "../../../")])
def test_the_way_back_to_the_site_root_follows_directory_urls(page, root):
    # MkDocs use_directory_urls (and Zensical's default): traffic/x.md is served at traffic/x/.
    assert site_root(page) == root


def test_a_clean_example_has_no_diagnostics_tab():
    html = render.example_html(ExampleResult(example(), "verified", [], []), "<pre>code</pre>", [], "__inb_1", envoy="<div>e</div>")
    assert '>診断</label>' not in html and ">Envoy</label>" in html
    assert "問題は見つかりませんでした" not in html  # the badge says 検証済み; no empty tab to open


def test_an_example_with_a_warning_shows_it_with_level_in_japanese_link_and_hint():
    hinted = next(code for code, m in sorted(CATALOGUE.items()) if m.hint("ja"))
    warn = diagnostic(hinted, 12, Level.WARNING)
    html = render.example_html(ExampleResult(example(), "verified", [warn], []), "<pre>code</pre>", [], "__inb_1", root="../../")
    assert '>診断</label>' in html
    assert f'<a href="../../reference/diagnostics/#{hinted.lower()}"' in html
    assert "<strong>警告</strong>" in html
    assert f"直し方: {CATALOGUE[hinted].hint('ja')}"[:40] in html.replace("&quot;", '"').replace("&#x27;", "'")


def test_without_a_known_page_address_the_code_is_not_linked():
    html = render.diagnostics_list([diagnostic("IST0101", 12)])
    assert "<code>IST0101</code>" in html and "<a " not in html and "<strong>エラー</strong>" in html


def test_a_deliberately_wrong_example_is_marked_and_not_offered_for_copying():
    wrong = example(mode="expect", expect=("IST0101",))
    result = ExampleResult(wrong, "expected-error", [diagnostic("IST0101", 14), diagnostic("IST0109", 12, Level.WARNING)], [])
    html = render.example_html(result, "<pre>code</pre>", [], "__inb_1", root="")
    assert 'class="inb-example inb-example--expected-error no-copy"' in html  # Material skips .no-copy
    assert "わざと間違えた例です" in html
    # Only the expected code's line, counted from the first line of the example's code (body_line 11).
    assert render.offending_lines(result) == [4]


def test_a_verified_example_keeps_its_copy_button_and_marks_no_line():
    result = ExampleResult(example(), "verified", [diagnostic("IST0109", 12, Level.WARNING)], [])
    assert "no-copy" not in render.example_html(result, "<pre>code</pre>", [], "__inb_1")
    assert render.offending_lines(result) == []


def test_errors_outside_the_example_mark_no_line_of_it():
    # A scenario's finding can point at another block or a fixture: not a line of this example.
    broken = [diagnostic("IST0101", 40), diagnostic("IST0101", 12, file="docs/fixtures/bookinfo.yaml")]
    result = ExampleResult(example(), "error", broken, broken)
    assert render.offending_lines(result) == []
