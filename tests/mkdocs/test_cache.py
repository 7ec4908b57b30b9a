"""The build cache is data only (issue 13, point 4): a planted pickle or garbage under
.istio-notebook-cache/pages/ runs nothing, is ignored with an INFO line, and the page is checked again."""

from __future__ import annotations

import json
import logging
import pickle
import subprocess
from pathlib import Path

import pytest
from test_build import PAGE, build, make_site  # tests/mkdocs/test_build.py: the temporary-site helpers

from istio_notebook.examples.find import read_page
from istio_notebook.examples.fixtures import FixtureStore
from istio_notebook.examples.run import run_page
from istio_notebook.markdown import codec
from istio_notebook.markdown.cache import DEFAULT_DIR as DEFAULT_CACHE_DIR
from istio_notebook.markdown.cache import FORMAT, ResultCache, directory_hash, page_key
from istio_notebook.markdown.checker import PreparedPage, prepare

ROOT = Path(__file__).resolve().parents[2]
LOGGER = "mkdocs.plugins.istio_notebook"


class Exploit:
    """Unpickling this runs a command that leaves a marker file: what a poisoned cache would do."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (subprocess.call, (["touch", str(self.marker)],))


def _key(site: Path) -> str:
    # As the extension computes it (checker.Checker.check): page text, shown path, fixtures, backend.
    return page_key(PAGE, "docs/index.md", directory_hash(site / "docs" / "fixtures"), "sim")


def _plant(site: Path, marker: Path) -> None:
    pages = site / DEFAULT_CACHE_DIR / "pages"
    pages.mkdir(parents=True)
    payload = pickle.dumps(Exploit(marker))
    key = _key(site)
    (pages / f"{key}.json").write_bytes(payload)  # where the cache looks: a pickle instead of JSON
    (pages / f"{key}.pickle").write_bytes(payload)  # where format 1 looked
    (site / DEFAULT_CACHE_DIR / "manifest.json").write_text(json.dumps({"format": 1, "pages": {"docs/index.md": key}}), encoding="utf-8")


def test_the_planted_payload_would_run_code_if_unpickled(tmp_path):
    # The fixture is honest: unpickling it does run the command.
    marker = tmp_path / "ran"
    pickle.loads(pickle.dumps(Exploit(marker)))
    assert marker.exists()


@pytest.mark.slow
def test_a_poisoned_cache_runs_nothing_and_the_page_is_checked_again(tmp_path):
    site = make_site(tmp_path / "site")
    marker = tmp_path / "exploited"
    _plant(site, marker)
    done = build(site, "--verbose")
    log = done.stdout + done.stderr
    assert not marker.exists(), "a cache file ran code during mkdocs build"
    assert "Traceback" not in log
    assert done.returncode == 0, log
    assert f"docs/index.md: cache entry {site}/{DEFAULT_CACHE_DIR}/pages/{_key(site)}.json ignored (UnicodeDecodeError" in log, log
    assert "cache: 0 hits, 1 misses" in log
    html = (site / "site" / "index.html").read_text(encoding="utf-8")
    assert "inb-badge--error" in html and "expected reviews v2, got reviews v1" in html  # checked afresh
    pages = site / DEFAULT_CACHE_DIR / "pages"
    assert sorted(p.suffix for p in pages.iterdir()) == [".json"]  # the pickle is gone, a JSON entry replaces it
    assert json.loads((pages / f"{_key(site)}.json").read_text(encoding="utf-8"))["format"] == FORMAT
    assert not (site / DEFAULT_CACHE_DIR / "manifest.json").exists()


def _prepared(tmp_path: Path) -> PreparedPage:
    fixtures = Path(__file__).parent / "golden" / "fixtures"
    return prepare(run_page(read_page(PAGE, "docs/index.md"), FixtureStore(fixtures)))


@pytest.mark.parametrize(
    "content",
    [
        b"\x80\x04garbage",  # not UTF-8
        b"{not json",
        b"[]",
        json.dumps({"format": FORMAT - 1, "key": "k", "page": {}}).encode(),  # another cache format
        json.dumps({"format": FORMAT, "key": "other", "page": {}}).encode(),  # computed for other inputs
        json.dumps({"format": FORMAT, "key": "k", "page": {"__type__": "PreparedPage", "report": {"__type__": "Popen", "args": ["touch", "x"]}}}).encode(),
        json.dumps({"format": FORMAT, "key": "k", "page": {"__type__": "PreparedPage", "report": None, "diagrams": 1}}).encode(),
    ],
    ids=["binary", "broken-json", "not-an-object", "old-format", "foreign-key", "foreign-class", "wrong-shape"],
)
def test_a_corrupt_or_foreign_entry_is_a_miss_with_an_info_line(tmp_path, caplog, content):
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "k.json").write_bytes(content)
    cache = ResultCache(tmp_path)
    with caplog.at_level(logging.INFO, logger=LOGGER):
        assert cache.get("docs/x.md", "k") is None
    assert (cache.hits, cache.misses) == (0, 1)
    lines = [r.getMessage() for r in caplog.records if r.name == LOGGER and r.levelno == logging.INFO]
    assert len(lines) == 1 and lines[0].startswith("docs/x.md: cache entry ") and "ignored" in lines[0], lines
    assert not (tmp_path / "x").exists()


def test_an_entry_comes_back_equal_from_disk(tmp_path):
    prepared = _prepared(tmp_path)
    ResultCache(tmp_path).put("docs/index.md", "k", prepared)
    again = ResultCache(tmp_path).get("docs/index.md", "k")
    assert again == prepared and again is not prepared


def test_every_page_of_the_site_survives_the_json_round_trip():
    # The real pages hold every kind of record the cache must carry (fragments, scenarios, authz checks, excerpts).
    store = FixtureStore(ROOT / "docs" / "fixtures", display_root=ROOT)
    pages = sorted((ROOT / "docs").rglob("*.md"))
    assert len(pages) > 20
    for path in pages:
        prepared = prepare(run_page(read_page(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT))), store))
        data = json.loads(json.dumps(codec.encode(prepared)))
        assert codec.decode(PreparedPage, data) == prepared, path


def test_decoding_builds_only_the_annotated_types():
    with pytest.raises(codec.DecodeError):
        codec.decode(PreparedPage, {"__type__": "PreparedPage", "report": {"__type__": "Exploit"}})
    assert codec.decode(dict[int, tuple[str, ...]], codec.encode({3: ("a", "b")})) == {3: ("a", "b")}
