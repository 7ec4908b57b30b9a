"""Every lab as a replayable scenario (examples/corpus.py does the same for docs/ pages)."""

from __future__ import annotations

from pathlib import Path

from istio_notebook.examples.corpus import CorpusScenario, doc_scenarios, runnable


def lab_scenarios(root: Path) -> list[CorpusScenario]:
    """One scenario per lab under ``root/labs``: its fixtures and manifests, and its runnable checks."""
    from istio_notebook.labs.catalog import Catalog
    from istio_notebook.labs.scenario import load_scenario

    catalog = Catalog.load(root)
    out = []
    for name, lab in sorted(catalog.labs.items()):
        scenario = load_scenario(lab, catalog.fixtures_dir)
        out.append(CorpusScenario(f"lab:{name}", scenario.mesh, [c for c in scenario.checks if runnable(c)]))
    return out


def all_scenarios(root: Path) -> list[CorpusScenario]:
    """What the repository documents: docs/ page scenarios, then labs."""
    return doc_scenarios(root) + lab_scenarios(root)
