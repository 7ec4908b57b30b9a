"""The root conftest's items: ids `path:line`, failure text naming the page line, --update-examples."""

import subprocess
import sys
from pathlib import Path

import pytest
from examples_testkit import DR, VS

ROOT = Path(__file__).resolve().parents[2]
PAGE = "---\nfixtures: [reviews]\n---\n" + VS + DR + "```check\n# a claim\ncurl http://reviews:9080/\n→ reviews v2\n```\n"


def pytest_run(page: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", f"--docs={page}", "-k", page.name, *extra],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )


@pytest.mark.slow
def test_items_fail_naming_the_page_line_and_update_rewrites_them(project):
    page = project / "docs" / "p.md"
    page.write_text(PAGE)
    done = pytest_run(page)
    assert done.returncode == 1, done.stdout
    name = f"{page}:35"  # outside the repository the id is the absolute path
    assert f"{name}: check fails" in done.stdout
    assert "check failed: expected reviews v2, got reviews v1 (rule 1 of default/reviews)" in done.stdout
    assert "1 failed, 3 passed" in done.stdout  # the two examples and the page item pass

    updated = pytest_run(page, "--update-examples")
    assert "rewrote 1 expectation line" in updated.stdout
    assert "→ reviews v1\n" in page.read_text()
    assert pytest_run(page).returncode == 0
