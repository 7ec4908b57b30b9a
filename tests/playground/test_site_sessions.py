"""The playground's per-page session files (playground/site.py), written from docs/ by
tools/playground/assets.py for any builder (Zensical runs no MkDocs hooks) and by the MkDocs hook:
one file per page with something to try, at the page's directory URL."""

from __future__ import annotations

import json

import pytest
from istio_notebook.playground import site
from playground_cases import JASON, REPO


@pytest.mark.parametrize(
    "src, url",
    [("index.md", ""), ("traffic/cors.md", "traffic/cors/"), ("labs/index.md", "labs/"), ("a/README.md", "a/"), ("playground.md", "playground/")],
)
def test_a_pages_url_is_its_directory_url(src, url):
    assert site.page_url(src) == url


def _page(docs, name: str, text: str) -> None:
    path = docs / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_each_page_with_a_check_gets_its_file_and_the_others_none(tmp_path):
    docs, out = tmp_path / "docs", tmp_path / "sessions"
    (docs / "fixtures").mkdir(parents=True)
    curl = "curl -H 'end-user: jason' http://reviews:9080/reviews/1"
    text = f"# Jason\n\n```yaml\n{JASON}```\n\n```check\n# jason\n{curl}\n→ reviews v2\n```\n"
    _page(docs, "traffic/jason.md", text)
    _page(docs, "plain.md", "# Nothing to try\n\ntext only\n")
    written, problems = site.write_all(docs, out)
    assert (written, problems) == (1, [])
    data = json.loads((out / "traffic" / "jason" / "session.json").read_text(encoding="utf-8"))
    assert data["page"] == "traffic/jason/"
    assert [c["line"] for c in data["checks"]] == [text.splitlines().index(curl) + 1]  # its line in the file
    assert "exact: jason" in data["scenarios"][""]["example.yaml"]
    assert not (out / "plain").exists()


def test_the_real_docs_give_a_file_for_the_pages_the_tests_open(tmp_path):
    written, problems = site.write_all(REPO / "docs", tmp_path)
    assert problems == [] and written >= 20
    for key in ("contributing/syntax/", "traffic/fault-injection/", "traffic/ingress-gateway/", "security/authorization/"):
        assert json.loads((tmp_path / key / "session.json").read_text(encoding="utf-8"))["checks"], key
