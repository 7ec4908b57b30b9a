"""The examples of docs/reference/python-api.md run, and their `#>` output is what they print."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_examples import CodeExample, EvalExample, find_examples

ROOT = Path(__file__).parents[2]
PAGE = ROOT / "docs" / "reference" / "python-api.md"


@pytest.mark.parametrize("example", list(find_examples(PAGE)), ids=str)
def test_python_api_page_examples(example: CodeExample, eval_example: EvalExample, monkeypatch):
    monkeypatch.chdir(ROOT)  # the examples read docs/fixtures/... relative to the repository
    if eval_example.update_examples:
        eval_example.run_print_update(example)
    else:
        eval_example.run_print_check(example)
