"""Paths named in input stay in their folder (issue 13, point 6): a page's fixtures under
docs/fixtures/, a lab's files under labs/. ``..``, an absolute path or a symbolic link out is
INB1018 at the name's line, and the file outside is never read.
"""

from __future__ import annotations

from pathlib import Path

from istio_notebook.config.confine import confined
from istio_notebook.examples import check_markdown
from istio_notebook.labs.catalog import load_lab

SERVICE = "apiVersion: v1\nkind: Service\nmetadata: {name: outside}\nspec: {ports: [{port: 0}]}\n"


def site(tmp_path: Path) -> tuple[Path, Path]:
    docs = tmp_path / "repo" / "docs"
    (docs / "fixtures").mkdir(parents=True)
    (tmp_path / "secret.yaml").write_text(SERVICE)  # outside the repository: must never be read
    return docs, docs / "fixtures"


def test_confined_resolves_dot_dot_and_symbolic_links(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (root / "link.yaml").symlink_to(tmp_path / "elsewhere.yaml")
    assert confined(root / "a.yaml", root) and confined(root / "sub" / ".." / "a.yaml", root)
    assert not confined(root / ".." / "a.yaml", root)
    assert not confined(root / "link.yaml", root)
    assert not confined(Path("/etc/passwd"), root)


def test_a_fixture_name_that_leaves_docs_fixtures_is_refused(tmp_path):
    docs, fixtures = site(tmp_path)
    page = docs / "page.md"
    page.write_text("---\nfixtures: [../../../secret]\n---\n\n# t\n")
    found = check_markdown(page, fixtures_dir=fixtures)
    assert [(d.code, d.line) for d in found] == [("INB1018", 1)]
    assert found[0].message.startswith('fixture "../../../secret" is outside ')
    assert "port number 0" not in " ".join(d.message for d in found)  # the file was not read


def lab(tmp_path: Path, lab_yaml: str) -> tuple[Path, Path]:
    labs = tmp_path / "repo" / "labs"
    directory = labs / "demo"
    directory.mkdir(parents=True)
    (directory / "vs.yaml").write_text(SERVICE.replace("outside", "inside"))
    (directory / "checks.markdown").write_text("# checks\n")
    (directory / "lab.yaml").write_text(lab_yaml)
    fixtures = tmp_path / "repo" / "docs" / "fixtures"
    fixtures.mkdir(parents=True)
    (tmp_path / "secret.yaml").write_text(SERVICE)
    return directory, fixtures


def test_lab_manifests_and_checks_outside_labs_are_refused_at_their_line(tmp_path):
    directory, fixtures = lab(tmp_path, f"title: t\nmanifests:\n- vs.yaml\n- ../../../secret.yaml\n- {tmp_path / 'secret.yaml'}\nchecks: ../../../secret.yaml\n")
    result, problems = load_lab(directory, fixtures)
    assert result is None
    assert [(d.code, d.line) for d in problems] == [("INB1018", 4), ("INB1018", 5), ("INB1018", 6)]
    assert problems[0].message.endswith(f"is outside {directory.parent}/; only files under {directory.parent}/ are read")


def test_a_lab_fixture_name_outside_docs_fixtures_is_refused(tmp_path):
    directory, fixtures = lab(tmp_path, "title: t\nfixtures: [../../../secret]\nmanifests: [vs.yaml]\n")
    _, problems = load_lab(directory, fixtures)
    assert [(d.code, d.line, d.message.split(" is outside")[0]) for d in problems] == [("INB1018", 2, 'fixture "../../../secret"')]


def test_a_lab_whose_files_stay_inside_loads(tmp_path):
    directory, fixtures = lab(tmp_path, "title: t\nmanifests: [vs.yaml, ../demo/vs.yaml]\n")
    result, problems = load_lab(directory, fixtures)
    assert problems == [] and result is not None
