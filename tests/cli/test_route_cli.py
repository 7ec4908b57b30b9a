"""`istio-notebook route`: the public command-line contract of DESIGN.md."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from istio_notebook.cli import main

FIXTURES = Path(__file__).parents[1] / "routing" / "fixtures"
CONTRACT_KEYS = {"action", "status", "virtual_service", "route_index", "match_index", "route_name", "route_ref", "waypoint", "destinations",
                 "rewrite", "redirect", "direct_response", "fault", "timeout", "retries", "mirrors", "headers",
                 "cors", "trace", "policy", "protocol"}

VS = """apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews]
  http:
  - match: [{headers: {end-user: {exact: jason}}}]
    route: [{destination: {host: reviews, subset: v2}}]
  - route: [{destination: {host: reviews, subset: v1}}]
"""


@pytest.fixture
def vs_file(tmp_path: Path) -> Path:
    path = tmp_path / "vs.yaml"
    path.write_text(VS)
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_output_has_exactly_the_contract_keys(capsys, vs_file):
    code, out, _ = run(capsys, "route", str(FIXTURES / "bookinfo.yaml"), str(vs_file),
                       "--request", "GET http://reviews:9080/r", "-H", "end-user: jason", "--from", "default/app=productpage",
                       "--format", "json")
    assert code == 0
    result = json.loads(out)
    assert set(result) == CONTRACT_KEYS
    assert result["destinations"] == [{"host": "reviews.default.svc.cluster.local", "subset": "v2", "port": 9080,
                                       "weight": 100.0, "cluster": "outbound|9080|v2|reviews.default.svc.cluster.local",
                                       "headers": None}]  # a weighted destination's own header operations (added key)


def test_text_output_summarises_then_traces(capsys, vs_file):
    code, out, _ = run(capsys, "route", str(FIXTURES / "bookinfo.yaml"), str(vs_file), "--request", "GET http://reviews:9080/",
                       "--lang", "ja")
    assert code == 0
    assert out.splitlines()[0] == "route → reviews.default.svc.cluster.local:9080 subset v1"
    assert "trace:" in out and "仮想ホスト" in out


def test_a_404_is_an_answer(capsys, vs_file):
    code, out, _ = run(capsys, "route", str(vs_file), "--request", "GET http://nothing.example/", "--format", "json")
    assert code == 0 and json.loads(out)["action"] == "passthrough"


@pytest.mark.parametrize(
    "argv",
    [
        ["--request", "GET ftp://x/"],
        ["--request", "GET http://x/", "-H", "broken"],
        ["--request", "GET http://x/", "--gateway", "default/missing"],
        ["--request", "GET http://x/", "--from", "default/app"],
    ],
)
def test_unusable_arguments_exit_2_with_one_line(capsys, vs_file, argv):
    code, out, err = run(capsys, "route", str(vs_file), *argv)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "error:" in err


def test_unreadable_path_exits_2_naming_it(capsys, tmp_path):
    code, _, err = run(capsys, "route", str(tmp_path / "nope.yaml"), "--request", "GET http://x/")
    assert code == 2 and "nope.yaml" in err


def test_broken_document_is_reported_and_the_rest_is_used(capsys, tmp_path, vs_file):
    broken = tmp_path / "broken.yaml"
    broken.write_text("kind: [unclosed\n")
    code, out, err = run(capsys, "route", str(FIXTURES / "bookinfo.yaml"), str(vs_file), str(broken),
                         "--request", "GET http://reviews:9080/", "--format", "json")
    assert code == 0 and "broken.yaml:" in err
    assert json.loads(out)["virtual_service"] == "default/reviews"


def test_nothing_usable_exits_2(capsys, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("kind: [unclosed\n")
    code, _, err = run(capsys, "route", str(broken), "--request", "GET http://x/")
    assert code == 2 and "broken.yaml" in err


def test_envoy_backend_unavailable_is_a_usage_error(capsys, vs_file, monkeypatch):
    import sys

    import istio_notebook.envoy

    monkeypatch.setitem(sys.modules, "istio_notebook.envoy.replay", None)  # the import now fails
    monkeypatch.delattr(istio_notebook.envoy, "replay", raising=False)
    code, _, err = run(capsys, "route", str(vs_file), "--request", "GET http://x/", "--backend", "envoy")
    assert code == 2 and "envoy backend not available" in err


@pytest.mark.envoy
def test_envoy_backend_answers_like_the_simulator(capsys, vs_file):
    argv = ["route", str(FIXTURES / "bookinfo.yaml"), str(vs_file), "--request", "GET http://reviews:9080/r",
            "-H", "end-user: jason", "--format", "json"]
    _, sim, _ = run(capsys, *argv)
    code, envoy, err = run(capsys, *argv, "--backend", "envoy")
    assert code == 0, err
    sim_json, envoy_json = json.loads(sim), json.loads(envoy)
    assert set(envoy_json) >= CONTRACT_KEYS - {"policy"}
    assert envoy_json["action"] == sim_json["action"] == "route"
    assert [d["cluster"] for d in envoy_json["destinations"]] == [d["cluster"] for d in sim_json["destinations"]]


def test_trace_language_follows_the_locale_unless_lang_is_given(capsys, vs_file, monkeypatch):
    for var in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    _, out, _ = run(capsys, "route", str(vs_file), "--request", "GET http://example.com/")
    assert "パススルー" in out
    _, out, _ = run(capsys, "route", str(vs_file), "--request", "GET http://example.com/", "--lang", "en")
    assert "passthrough to the original destination" in out
