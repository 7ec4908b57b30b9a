"""The plugin under `mkdocs serve`: one object across rebuilds, findings that do not abort a strict rebuild."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from istio_notebook.examples.find import read_page
from istio_notebook.examples.fixtures import FixtureStore
from istio_notebook.examples.run import run_page
from istio_notebook.markdown.cache import DEFAULT_DIR as DEFAULT_CACHE_DIR
from istio_notebook.markdown.cache import ResultCache
from istio_notebook.markdown.checker import Checker, Settings, prepare
from istio_notebook.mkdocs.plugin import IstioNotebookPlugin
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from test_build import (  # tests/mkdocs/test_build.py: the temporary-site helpers
    FIXTURE,
    MKDOCS_YML,
    PAGE,
    make_site,
)

LOGGER = "mkdocs.plugins.istio_notebook"


@pytest.fixture(autouse=True)
def fresh_plugin_objects():
    """MkDocs keeps plugin objects for the whole process: start clean, and leave no serve-mode plugin to later tests."""
    kept = dict(MkDocsConfig._schema)["plugins"].plugin_cache
    kept.clear()
    yield
    kept.clear()


def test_serve_keeps_one_plugin_object_and_its_cache_across_rebuilds(tmp_path):
    # `mkdocs serve` calls load_config() before every rebuild; MkDocs re-creates plugins without on_startup.
    site = make_site(tmp_path)
    first = load_config(str(site / "mkdocs.yml"))
    first.plugins.on_startup(command="serve", dirty=False)
    first.plugins.on_config(first)
    second = load_config(str(site / "mkdocs.yml"))
    second.plugins.on_config(second)
    plugin = second.plugins["istio-notebook"]
    assert plugin is first.plugins["istio-notebook"]
    assert plugin.serving
    assert plugin.checker().cache.directory == site / DEFAULT_CACHE_DIR


def test_a_changed_cache_dir_is_honoured_by_the_kept_plugin_object(tmp_path):
    site = make_site(tmp_path)
    plugin = load_config(str(site / "mkdocs.yml")).plugins["istio-notebook"]
    config = load_config(str(site / "mkdocs.yml"))
    config.plugins.on_config(config)
    (site / "mkdocs.yml").write_text(MKDOCS_YML.replace("  - istio_notebook.markdown\n", "  - istio_notebook.markdown:\n      cache_dir: elsewhere\n"), encoding="utf-8")
    config = load_config(str(site / "mkdocs.yml"))
    config.plugins.on_config(config)
    assert config.plugins["istio-notebook"] is plugin
    assert plugin.checker().cache.directory == site / "elsewhere"


def _plugin_with_false_claim(tmp_path: Path, command: str) -> IstioNotebookPlugin:
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "fixtures" / "reviews.yaml").write_text(FIXTURE, encoding="utf-8")
    plugin = IstioNotebookPlugin()
    plugin.load_config({})
    plugin.on_startup(command=command, dirty=False)
    prepared = prepare(run_page(read_page(PAGE, "docs/index.md"), FixtureStore(tmp_path / "fixtures")))
    assert any(d.code == "INB3020" for d in prepared.report.failures)  # the page's claim "→ reviews v2" is false
    plugin.reports = {"index.md": prepared}
    plugin._checker = Checker(Settings(tmp_path, tmp_path / "fixtures", None))
    return plugin


def _levels(caplog, code: str) -> set[int]:
    return {r.levelno for r in caplog.records if r.name == LOGGER and f"[{code}]" in r.getMessage()}


def test_build_logs_a_false_claim_as_a_warning_so_strict_fails(tmp_path, caplog):
    plugin = _plugin_with_false_claim(tmp_path, "build")
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        plugin._log_results()
    assert _levels(caplog, "INB3020") == {logging.WARNING}
    assert _levels(caplog, "IST0101") == {logging.WARNING}  # the broken example (subset v9)


def test_serve_logs_page_findings_as_info_so_a_strict_config_does_not_stop_the_rebuild(tmp_path, caplog):
    # A warning would make a strict `mkdocs serve` abort the rebuild and keep serving the old page.
    plugin = _plugin_with_false_claim(tmp_path, "serve")
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        plugin._log_results()
    assert _levels(caplog, "INB3020") == {logging.INFO}
    assert _levels(caplog, "IST0101") == {logging.INFO}


def test_cache_memory_keeps_only_the_current_result_of_each_page():
    cache = ResultCache(None)
    old, new = object(), object()
    cache.put("docs/a.md", "k-old", old)
    cache.put("docs/a.md", "k-new", new)  # the page was edited under serve
    cache.prune()
    assert cache.memory == {"k-new": new}
    assert cache.get("docs/a.md", "k-new") is new and cache.get("docs/a.md", "k-old") is None


def _failing_excerpt(tmp_path: Path, command: str, monkeypatch) -> IstioNotebookPlugin:
    from istio_notebook.envoy import translate

    monkeypatch.setattr(translate, "envoy_config", lambda mesh, proxy: {}[proxy])
    return _plugin_with_false_claim(tmp_path, command)


@pytest.mark.parametrize(("command", "level"), [("build", logging.WARNING), ("serve", logging.INFO)])
def test_an_envoy_excerpt_that_cannot_be_produced_is_logged_with_page_and_line(tmp_path, caplog, monkeypatch, command, level):
    # A warning fails `mkdocs build --strict`; under `mkdocs serve` it would abort the rebuild (strict: true), so info.
    plugin = _failing_excerpt(tmp_path, command, monkeypatch)
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        plugin._log_results()
    found = {(r.levelno, r.getMessage().split(": cannot")[0]) for r in caplog.records if r.name == LOGGER and "cannot produce the Envoy excerpt" in r.getMessage()}
    assert found == {(level, "docs/index.md:6")}


@pytest.mark.parametrize("command", ["build", "serve"])
def test_a_build_freezes_what_it_checked_until_it_ends_and_serve_freezes_nothing(tmp_path, command):
    # The GC's permanent generation holds the checked pages while a one-shot build renders (fewer
    # full collections rescanning them, benchmarks/build.py); a long-running `mkdocs serve` must not
    # keep each rebuild's objects there, and neither must a build once it ended.
    import gc

    from mkdocs.structure.files import get_files

    site = make_site(tmp_path)
    config = load_config(str(site / "mkdocs.yml"))
    config.plugins.on_startup(command=command, dirty=False)
    config = config.plugins.on_config(config)
    plugin = config.plugins["istio-notebook"]
    # Other tests drive on_files without on_post_build, leaving their build frozen in this process;
    # start from an unfrozen GC so that "unfrozen at the end" is this build's doing.
    gc.unfreeze()
    before = gc.get_freeze_count()
    plugin.on_files(get_files(config), config=config)
    assert plugin.reports  # the page was checked
    assert (gc.get_freeze_count() > before) == (command == "build")
    plugin.on_post_build(config=config)
    assert gc.get_freeze_count() == before
    assert gc.isenabled()


@pytest.mark.parametrize(("enabled", "frozen_at_exit"), [(True, True), (False, False)])
def test_a_checked_one_shot_build_freezes_what_is_left_when_its_process_exits(tmp_path, enabled, frozen_at_exit):
    # The interpreter's last collections skip the permanent generation (yaml_reader.freeze_at_exit):
    # a probe registered before the build runs after the build's own exit handlers (atexit is LIFO).
    import subprocess
    import sys

    site = make_site(tmp_path)
    if not enabled:
        text = (site / "mkdocs.yml").read_text(encoding="utf-8")
        (site / "mkdocs.yml").write_text(text.replace("  - istio-notebook\n", "  - istio-notebook:\n      enabled: false\n"), encoding="utf-8")
    probe = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('frozen at exit:', gc.get_freeze_count() > 0))\n"
        "from mkdocs.__main__ import cli\n"
        "cli.main(['build', '--quiet'], standalone_mode=False)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=site, capture_output=True, text=True, timeout=300)
    assert f"frozen at exit: {frozen_at_exit}" in done.stdout, done.stdout + done.stderr
