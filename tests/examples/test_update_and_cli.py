"""--update-examples rewriting, and `istio-notebook check` on Markdown with the example syntax."""

import json
import subprocess
import sys

from examples_testkit import DR, DR_V1_ONLY, VS

from istio_notebook.examples.find import read_page
from istio_notebook.examples.run import run_page
from istio_notebook.examples.update import update_expectations

FRONT = "---\nfixtures: [reviews]\n---\n"
CHECK = "```check\n  curl http://reviews:9080/\n  => reviews v2\n  → virtual-service default/reviews\n```\n"


def test_update_rewrites_only_the_failing_lines_keeping_arrow_and_indent(project, store):
    page = project / "docs" / "p.md"
    page.write_text(FRONT + VS + DR + CHECK)
    report = run_page(read_page(page.read_text(), str(page)), store)
    (result,) = report.checks.values()
    assert not result.passed
    assert update_expectations(page, result) == 1
    text = page.read_text()
    assert "  => reviews v1\n  → virtual-service default/reviews\n" in text
    rerun = run_page(read_page(text, str(page)), store)
    assert all(r.passed for r in rerun.checks.values())


def test_cli_check_uses_the_example_syntax_for_markdown(project):
    page = project / "docs" / "p.md"
    broken_on_purpose = VS.replace("```yaml", '```yaml expect="IST0101" scenario=""')
    page.write_text(FRONT + DR_V1_ONLY + broken_on_purpose + '```yaml unchecked="not yaml at all"\n: : [\n```\n')
    done = subprocess.run(
        [sys.executable, "-m", "istio_notebook", "check", "--format", "json", str(page)], capture_output=True, text=True, cwd=project
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["diagnostics"] == []
    page.write_text(FRONT + DR_V1_ONLY + VS)  # now the missing subset is a real error
    done = subprocess.run([sys.executable, "-m", "istio_notebook", "check", str(page)], capture_output=True, text=True, cwd=project)
    assert done.returncode == 1
    assert "IST0101" in done.stdout and "p.md:27" in done.stdout
