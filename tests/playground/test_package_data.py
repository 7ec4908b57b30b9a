"""istio_notebook.package_data: the package's YAML data files are read from a JSON twin only when
the twin was made from that very YAML text (the playground's wheel has twins, the repository not)."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from istio_notebook import package_data

YAML = "messages:\n- code: INB0001\n  template: |\n    a {thing}\n    on two lines\n  hint: null\n"


def test_a_twin_is_the_yamls_data(tmp_path):
    (tmp_path / "m.yaml").write_text(YAML, encoding="utf-8")
    without = package_data.load(tmp_path, "m.yaml")
    (tmp_path / "m.yaml.json").write_text(package_data.twin(YAML), encoding="utf-8")
    assert package_data.load(tmp_path, "m.yaml") == without


def test_a_twin_is_what_is_read_when_it_matches_and_ignored_when_the_yaml_changed(tmp_path):
    (tmp_path / "m.yaml").write_text(YAML, encoding="utf-8")
    made = json.loads(package_data.twin(YAML))
    made["data"] = {"from": "twin"}
    (tmp_path / "m.yaml.json").write_text(json.dumps(made), encoding="utf-8")
    assert package_data.load(tmp_path, "m.yaml") == {"from": "twin"}
    (tmp_path / "m.yaml").write_text(YAML.replace("INB0001", "INB0002"), encoding="utf-8")
    assert package_data.load(tmp_path, "m.yaml")["messages"][0]["code"] == "INB0002"


@pytest.mark.parametrize("text", ["since: 2024-01-01\n", "ports: {80: http}\n"])
def test_no_twin_for_data_json_cannot_carry_unchanged(text):
    with pytest.raises(ValueError, match="JSON cannot carry"):
        package_data.twin(text)


@pytest.mark.parametrize(
    "package, name",
    [("istio_notebook.diagnostics", "messages.yaml"), ("istio_notebook.diagnostics", "istioctl_codes.yaml"),
     ("istio_notebook.analysis.analyzers.annotations", "istio_annotations.yaml")],
)
def test_the_packages_own_data_files_have_twins_equal_to_them(package, name):
    text = resources.files(package).joinpath(name).read_text(encoding="utf-8")
    assert json.loads(package_data.twin(text))["data"] == package_data.load(package, name)
