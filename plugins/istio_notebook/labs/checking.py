"""``istio-notebook check`` on lab files: each lab is checked as its own scenario.

A lab's manifests only make sense on top of its fixtures, and two labs may both define
``VirtualService default/reviews`` (they never run together). So a path inside ``labs/<name>/``
is not loaded with the other inputs: its whole lab is loaded (fixtures + manifests, analysed
together), the lab definition and check syntax are checked, and its checks run on the simulator. ``labs/kind/`` holds the
cluster and Istio install config for kind, not mesh configuration, and is skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from istio_notebook.config.loader import iter_input_files
from istio_notebook.diagnostics import Diagnostic
from istio_notebook.labs.catalog import LAB_FILE, load_lab
from istio_notebook.labs.scenario import load_scenario

KIND_DIR = "kind"


def _lab_dir(file: Path) -> Path | None:
    for parent in [file.parent, *file.parent.parents][:2]:
        if (parent / LAB_FILE).is_file():
            return parent
    return None


def _is_kind_config(file: Path) -> bool:
    return file.parent.name == KIND_DIR and any((sibling / LAB_FILE).is_file() for sibling in file.parent.parent.glob("*/"))


def split_lab_paths(paths: Sequence[str | Path]) -> tuple[list[Path], list[Path]]:
    """(the files that are not lab files, directories expanded; the lab folders those hold), both in input order.

    Paths that do not exist are kept, for the loader to report.
    """
    plain: list[Path] = []
    labs: list[Path] = []
    for raw in paths:
        path = Path(raw)
        for file in iter_input_files(path) if path.is_dir() else [path]:
            lab = _lab_dir(file) if file.exists() else None
            if lab is not None:
                labs.append(lab)
            elif not (file.exists() and _is_kind_config(file)):
                plain.append(file)
    return plain, list(dict.fromkeys(labs))


def fixtures_dir_for(lab_dir: Path) -> Path:
    """``docs/fixtures`` of the repository that holds the lab (labs/<name>/ → ../../docs/fixtures)."""
    return lab_dir.parent.parent / "docs" / "fixtures"


def check_labs(lab_dirs: Sequence[Path]) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for directory in lab_dirs:
        fixtures = fixtures_dir_for(directory)
        lab, problems = load_lab(directory, fixtures)
        found.extend(problems)
        if lab is None:
            continue
        scenario = load_scenario(lab, fixtures)
        found.extend(scenario.diagnostics)
        if not scenario.errors:
            # Like a docs page: the checks must hold on the simulator (INB3020 names the line that does not).
            from istio_notebook.examples.run import run_check

            mesh = scenario.mesh
            for check in scenario.checks:
                if not check.diagnostics:
                    found.extend(run_check(mesh, check, backend="sim").diagnostics)
    return found
