"""The labs workflow: what it runs and when (actionlint itself runs over every workflow in tests/ci)."""

from __future__ import annotations

import yaml

from labs_testkit import REPO
from istio_notebook.labs import pins

WORKFLOW = yaml.safe_load((REPO / ".github/workflows/labs.yml").read_text(encoding="utf-8"))
STEPS = WORKFLOW["jobs"]["kind"]["steps"]


def runs(step: dict) -> str:
    return step.get("run", "")


def test_runs_on_pull_requests_touching_labs_or_docs() -> None:
    # PyYAML reads the key `on` as True (YAML 1.1 boolean).
    triggers = WORKFLOW[True]
    assert {"labs/**", "docs/**"} <= set(triggers["pull_request"]["paths"])


def test_up_then_run_every_lab_on_kind_then_always_down() -> None:
    order = [i for i, s in enumerate(STEPS) for needle in ("lab up", "lab run --all --backend kind", "lab down") if needle in runs(s)]
    assert len(order) == 3 and order == sorted(order)
    down = next(s for s in STEPS if "lab down" in runs(s))
    assert down.get("if") == "always()"


def test_tool_versions_match_the_pins_and_downloads_are_verified() -> None:
    env = WORKFLOW["env"]
    assert env["KIND_VERSION"] == f"v{pins.KIND_VERSION}"
    assert env["ISTIO_VERSION"] == pins.ISTIO_VERSION
    install = next(runs(s) for s in STEPS if "istioctl" in runs(s) and "curl" in runs(s))
    assert install.count("sha256sum -c") == 3  # kind, kubectl, istioctl
