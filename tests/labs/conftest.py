"""Fixtures for the lab tests; the fakes themselves live in labs_testkit.py."""

from __future__ import annotations

import pytest
from labs_testkit import FakeClock, FakeRunner


@pytest.fixture
def runner() -> FakeRunner:
    return FakeRunner()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
