"""Lab definitions: problems are diagnostics with file:line; `istio-notebook check` checks each lab as a scenario."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from labs_testkit import REPO
from istio_notebook.labs.catalog import Catalog, load_lab
from istio_notebook.labs.checking import check_labs, split_lab_paths
from istio_notebook.labs.scenario import read_checks


def make_repo(tmp_path: Path, lab_yaml: str, files: dict[str, str] | None = None) -> Path:
    shutil.copytree(REPO / "docs" / "fixtures", tmp_path / "docs" / "fixtures")
    lab = tmp_path / "labs" / "demo"
    lab.mkdir(parents=True)
    (lab / "lab.yaml").write_text(lab_yaml, encoding="utf-8")
    for name, text in (files or {}).items():
        (lab / name).write_text(text, encoding="utf-8")
    return tmp_path


VS = (REPO / "labs/request-routing/virtual-service.yaml").read_text(encoding="utf-8")
DR = (REPO / "labs/request-routing/destination-rule.yaml").read_text(encoding="utf-8")
CHECKS = "```check\ncurl -H 'end-user: jason' http://reviews:9080/\n→ reviews v2\n```\n"
GOOD = "title: Demo\nfixtures: [bookinfo, sleep]\nmanifests: [dr.yaml, vs.yaml]\n"


def test_a_well_formed_lab_loads(tmp_path: Path) -> None:
    root = make_repo(tmp_path, GOOD, {"dr.yaml": DR, "vs.yaml": VS, "checks.markdown": CHECKS})
    catalog = Catalog.load(root)
    assert catalog.diagnostics == []
    lab = catalog.labs["demo"]
    assert [m.name for m in lab.manifests] == ["dr.yaml", "vs.yaml"]
    assert (lab.client, lab.gateway) == ("default/app=sleep", None)


@pytest.mark.parametrize(
    "lab_yaml, code, line, words",
    [
        ("fixtures: [bookinfo]\nmanifests: [vs.yaml]\n", "INB4001", 1, "'title' is required"),
        ("title: x\nmanifests: [vs.yaml]\ncolour: blue\n", "INB4001", 3, "unknown key 'colour'"),
        ("title: x\nmanifests: vs.yaml\n", "INB4001", 2, "must be a list"),
        ("title: x\nmanifests: [vs.yaml, missing.yaml]\n", "INB4002", 2, 'manifest not found: "missing.yaml"'),
        ("title: x\nfixtures:\n- bookinfo\n- nope\nmanifests: [vs.yaml]\n", "INB4002", 4, 'fixture not found: "nope"'),
        ("title: x\nmanifests: [vs.yaml]\nchecks: other.markdown\n", "INB4002", 3, 'checks file not found'),
        ("title: [unclosed\n", "INB1001", 2, "YAML syntax error"),  # the parser notices at the end of input
    ],
)
def test_broken_lab_definitions_name_the_line(tmp_path: Path, lab_yaml: str, code: str, line: int, words: str) -> None:
    root = make_repo(tmp_path, lab_yaml, {"vs.yaml": VS, "checks.markdown": CHECKS})
    lab, problems = load_lab(root / "labs" / "demo", root / "docs" / "fixtures")
    assert lab is None
    assert any(p.code == code and p.line == line and words in p.message for p in problems), problems


def test_a_checks_file_without_checks_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "checks.markdown"
    path.write_text("Just prose.\n", encoding="utf-8")
    checks, problems = read_checks(path)
    assert checks == [] and [p.code for p in problems] == ["INB4003"]


def test_check_syntax_errors_surface(tmp_path: Path) -> None:
    path = tmp_path / "checks.markdown"
    path.write_text("```check\ncurl http://reviews:9080/\n→ fault sideways\n```\n", encoding="utf-8")
    _, problems = read_checks(path)
    assert [p.code for p in problems] == ["INB3012"] and problems[0].line == 3


def test_lab_paths_are_split_from_ordinary_inputs() -> None:
    plain, labs = split_lab_paths([REPO / "docs/fixtures/sleep.yaml", REPO / "labs/egress/virtual-service.yaml", REPO / "labs/kind/cluster.yaml"])
    assert plain == [REPO / "docs/fixtures/sleep.yaml"] and labs == [REPO / "labs/egress"]
    plain, labs = split_lab_paths([REPO / "labs"])
    assert plain == [] and len(labs) >= 8


def test_checking_a_lab_reports_its_manifests_findings(tmp_path: Path) -> None:
    broken = VS.replace("subset: v2", "subset: v9")
    root = make_repo(tmp_path, GOOD, {"dr.yaml": DR, "vs.yaml": broken, "checks.markdown": CHECKS})
    found = check_labs([root / "labs" / "demo"])
    assert any(d.code == "IST0101" and d.file.endswith("vs.yaml") for d in found), found


def test_every_lab_in_the_repository_checks_clean() -> None:
    assert check_labs(sorted(p.parent for p in (REPO / "labs").glob("*/lab.yaml"))) == []


def test_folded_japanese_descriptions_get_no_stray_spaces(tmp_path: Path) -> None:
    text = "title: Demo\ndescription: >-\n  一行目の終わり、\n  二行目は istio.io の\n  説明。\nmanifests: [vs.yaml]\n"
    root = make_repo(tmp_path, text, {"vs.yaml": VS, "checks.markdown": CHECKS})
    lab, problems = load_lab(root / "labs" / "demo", root / "docs" / "fixtures")
    assert problems == [] and lab.description == "一行目の終わり、二行目は istio.io の説明。"


def test_checking_a_lab_runs_its_checks_on_the_simulator(tmp_path: Path) -> None:
    wrong = CHECKS.replace("→ reviews v2", "→ reviews v3")
    root = make_repo(tmp_path, GOOD, {"dr.yaml": DR, "vs.yaml": VS, "checks.markdown": wrong})
    found = check_labs([root / "labs" / "demo"])
    assert [(d.code, d.line) for d in found] == [("INB3020", 2)]
    assert "expected reviews v3, got reviews v2" in found[0].message


@pytest.mark.parametrize("broken", ["checks.markdown", "vs.yaml"])
def test_a_lab_file_that_is_not_utf8_is_a_diagnostic_at_that_file(tmp_path: Path, broken: str) -> None:
    root = make_repo(tmp_path, "title: x\nmanifests: [vs.yaml]\n", {"vs.yaml": VS, "checks.markdown": CHECKS})
    path = root / "labs" / "demo" / broken
    path.write_bytes(path.read_bytes() + b"\xff\n")
    lab, problems = load_lab(root / "labs" / "demo", root / "docs" / "fixtures")
    assert lab is None  # so the page generator and the checks reader never see the file
    assert [(p.code, Path(p.file).name) for p in problems] == [("INB1008", broken)]
    assert [p.code for p in check_labs([root / "labs" / "demo"])] == ["INB1008"]
