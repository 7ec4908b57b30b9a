"""A tiny project (docs/fixtures + a page) for running examples with the real analyzers and simulator."""

from pathlib import Path

import pytest
from examples_testkit import FIXTURE

from istio_notebook.examples.fixtures import FixtureStore


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "docs" / "fixtures").mkdir(parents=True)
    (tmp_path / "docs" / "fixtures" / "reviews.yaml").write_text(FIXTURE)
    return tmp_path


@pytest.fixture
def store(project: Path) -> FixtureStore:
    return FixtureStore(project / "docs" / "fixtures", display_root=project)
