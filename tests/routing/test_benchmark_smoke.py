"""benchmarks/route_scale.py keeps working (tiny sizes; the figures themselves are not asserted)."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))


@pytest.mark.slow
def test_route_scale_runs_and_prints_its_figures(capsys):
    import route_scale

    route_scale.measure(20, 200, random.Random(1), batch=50)
    line = capsys.readouterr().out
    assert "20 services" in line and "median" in line and "p99" in line and "req/s" in line and "peak RSS" in line
