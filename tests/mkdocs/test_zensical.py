"""The same checks under Zensical (issue 17): `zensical build` runs the istio_notebook.markdown
extension, renders the widgets, and fails on a broken example naming page:line and reason.

Zensical does not load MkDocs plugins; it calls Python-Markdown per page
(zensical/markdown/render.py) and turns an exception raised there into a failed build
("RuntimeError: Python error: <type>: <message>"). Its link checks are the only "issues" it
has (zensical's python/issues.rs), so an exception is how an extension fails the build.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from istio_notebook.markdown.cache import DEFAULT_DIR as DEFAULT_CACHE_DIR
from test_build import PAGE, make_site  # tests/mkdocs/test_build.py: the temporary-site helpers

ZENSICAL = shutil.which("zensical", path=str(Path(__import__("sys").executable).parent))
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(ZENSICAL is None, reason="zensical is not installed (pip install -e '.[zensical]'; ./dev does it)"),
]

REPAIRED = PAGE.replace("subset: v9", "subset: v1").replace("→ reviews v2", "→ reviews v1")


def zensical_build(site: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ZENSICAL), "build", "--clean", "-f", str(site / "mkdocs.yml"), *args],
        capture_output=True,
        text=True,
        cwd=site,
        env={"PATH": "/usr/bin:/bin", "HOME": str(site), **env},
        timeout=300,
    )


def test_zensical_build_fails_on_a_broken_example_with_page_line_and_reason(tmp_path):
    site = make_site(tmp_path)
    done = zensical_build(site)
    log = done.stdout + done.stderr
    assert done.returncode != 0, log
    # Every failure of the page, one per line, as the MkDocs build names them (test_build.py).
    assert "ExampleFailure: docs/index.md:29 [IST0101] " in log and "reviews+v9" in log, log
    assert "docs/index.md:36 [INB3020] check failed: expected reviews v2, got reviews v1 (rule 1 of default/reviews)" in log, log


def test_zensical_build_of_a_sound_page_renders_the_same_widgets(tmp_path):
    site = make_site(tmp_path, REPAIRED)
    done = zensical_build(site, "--strict")
    assert done.returncode == 0, done.stdout + done.stderr
    html = (site / "site" / "index.html").read_text(encoding="utf-8")
    assert html.count("inb-badge--verified") == 3  # two examples and the check block
    assert '<pre class="mermaid"><code>flowchart LR' in html  # the VirtualService's diagram tab
    assert "inb-check-table" in html and "inb-mark--pass" in html and "inb-mark--fail" not in html
    assert "<!--inb-panel:" not in html  # the panels were put back around the examples' code


def test_the_checking_cache_survives_zensical_clean_so_a_second_build_checks_nothing(tmp_path):
    # `zensical build --clean` removes the whole .cache/ folder (Zensical's page cache lives there):
    # the checking cache lives beside it (markdown/cache.py DEFAULT_DIR), or every build re-checks.
    site = make_site(tmp_path, REPAIRED)
    assert zensical_build(site).returncode == 0
    entries = sorted((site / DEFAULT_CACHE_DIR / "pages").glob("*.json"))
    assert len(entries) == 1
    written = entries[0].stat().st_mtime_ns
    assert zensical_build(site).returncode == 0
    assert sorted((site / DEFAULT_CACHE_DIR / "pages").glob("*.json")) == entries
    assert entries[0].stat().st_mtime_ns == written  # read back, not checked and written again


def test_a_zensical_build_freezes_what_is_left_when_its_process_exits(tmp_path):
    # As the MkDocs plugin does (yaml_reader.freeze_at_exit): the interpreter's last collections
    # skip the checked pages. The probe is imported at start-up (sitecustomize), so its exit handler
    # runs after the build's (atexit is LIFO).
    site = make_site(tmp_path, REPAIRED)
    probe = tmp_path / "probe"
    probe.mkdir()
    (probe / "sitecustomize.py").write_text(
        "import atexit, gc\natexit.register(lambda: print('frozen at exit:', gc.get_freeze_count() > 0, flush=True))\n",
        encoding="utf-8",
    )
    done = zensical_build(site, PYTHONPATH=str(probe))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "frozen at exit: True" in done.stdout, done.stdout + done.stderr
