"""`route` / `authz --requests FILE`: JSON Lines in, one answer per line out (cli/batch.py).

The batch answer of each line must be exactly what the single-request command prints for the
same request (the same JSON contract, compact), in input order; a bad line stops the run with
FILE:LINE and exit 2 before anything is answered.
"""

from __future__ import annotations

import json
from pathlib import Path

from istio_notebook.cli import main

FIXTURES = Path(__file__).parents[1] / "routing" / "fixtures"
MESH = [str(FIXTURES / name) for name in ("bookinfo.yaml", "gateways.yaml", "httpbin.yaml", "outcome_pins.yaml")]

ROUTE_LINES = [
    {"request": "GET http://reviews:9080/weighted"},
    {"request": "GET http://reviews:9080/r", "headers": ["end-user: jason"], "from": "default/app=productpage"},
    {"request": "GET http://shop.example.com:9090/api/1", "gateway": "istio-system/edge"},
    {"request": "GET http://reviews:9080/nothing"},
]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def single_route(capsys, line: dict) -> dict:
    where = ["--gateway", line["gateway"]] if "gateway" in line else ["--from", line.get("from", "default")]
    headers = [arg for h in line.get("headers", []) for arg in ("-H", h)]
    code, out, _ = run(capsys, "route", *MESH, "--request", line["request"], *headers, *where, "--format", "json", "--lang", "en")
    assert code == 0
    return json.loads(out)


def test_route_batch_answers_each_line_as_the_single_command_does(tmp_path: Path, capsys):
    requests = tmp_path / "requests.jsonl"
    requests.write_text("\n".join(json.dumps(line) for line in ROUTE_LINES[:2]) + "\n\n" +
                        "\n".join(json.dumps(line) for line in ROUTE_LINES[2:]) + "\n")
    code, out, _ = run(capsys, "route", *MESH, "--requests", str(requests), "--lang", "en")
    assert code == 0
    answers = out.splitlines()
    assert len(answers) == len(ROUTE_LINES)  # the blank line is not a request
    for line, answer in zip(ROUTE_LINES, answers, strict=True):
        assert json.loads(answer) == single_route(capsys, line)
        assert json.loads(answer) and ": " not in answer[:20]  # compact, one object per line


def test_a_bad_line_stops_the_batch_with_its_place(tmp_path: Path, capsys):
    requests = tmp_path / "requests.jsonl"
    requests.write_text(json.dumps(ROUTE_LINES[0]) + "\n" + '{"request": "GET http://reviews:9080/", "from": "default/app"}\n')
    code, out, err = run(capsys, "route", *MESH, "--requests", str(requests))
    assert code == 2 and out == ""
    assert f"{requests}:2: " in err and "Traceback" not in err
    requests.write_text('["GET http://reviews:9080/"]\n')
    code, _, err = run(capsys, "route", *MESH, "--requests", str(requests))
    assert code == 2 and f"{requests}:1: want a JSON object" in err


def test_batch_and_single_request_and_text_format_exclude_each_other(tmp_path: Path, capsys):
    requests = tmp_path / "requests.jsonl"
    requests.write_text(json.dumps(ROUTE_LINES[0]) + "\n")
    code, _, err = run(capsys, "route", *MESH, "--requests", str(requests), "--request", "GET http://reviews:9080/")
    assert code == 2 and "not both" in err
    code, _, err = run(capsys, "route", *MESH, "--requests", str(requests), "--format", "text")
    assert code == 2 and "JSON Lines" in err


def test_authz_batch_takes_missing_keys_from_the_command_line(tmp_path: Path, capsys):
    requests = tmp_path / "requests.jsonl"
    requests.write_text(
        json.dumps({"request": "GET http://reviews:9080/r", "source_namespace": "default", "headers": ["x-token: t1"]}) + "\n"
        + json.dumps({"request": "GET http://reviews:9080/admin/x"}) + "\n"
        + json.dumps({"request": "GET http://ratings:9080/", "to": "default/app=ratings"}) + "\n")
    code, out, _ = run(capsys, "authz", *MESH, "--requests", str(requests), "--to", "default/app=reviews", "--lang", "en")
    assert code == 0
    decisions = [json.loads(line) for line in out.splitlines()]
    assert [(d["decision"], d["policy"]) for d in decisions] == [
        ("ALLOW", "default/allow-get"), ("DENY", "default/deny-admin"), ("ALLOW", None)]
    code, out, _ = run(capsys, "authz", *MESH, "--request", "GET http://reviews:9080/admin/x", "--to", "default/app=reviews",
                       "--format", "json", "--lang", "en")
    assert json.loads(out) == decisions[1]


def test_requests_from_a_fifo_are_refused_in_one_line(tmp_path: Path, capsys):
    # Bad input: --requests reads through config.source like every input (regular files only).
    import os

    fifo = tmp_path / "requests.jsonl"
    os.mkfifo(fifo)
    code, out, err = run(capsys, "route", *MESH, "--from", "default", "--requests", str(fifo))
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "not a regular file" in err and "Traceback" not in err


def test_a_proxy_written_alike_on_many_lines_is_parsed_once():
    # Sharing one frozen Proxy per spelling keeps a large batch from parsing labels and sorting
    # its table key on every line; lines without a proxy take the command line's.
    from istio_notebook.cli.batch import BatchLine
    from istio_notebook.cli.route import batch_pairs

    lines = [BatchLine(f"f:{n}", fields) for n, fields in enumerate([
        {"request": "GET http://a/", "from": "ns-1/app=x"}, {"request": "GET http://b/", "from": "ns-1/app=x"},
        {"request": "GET http://c/", "gateway": "istio-system/edge"}, {"request": "GET http://d/"},
        {"request": "GET http://e/", "from": "ns-1/app=y"}], 1)]
    pairs = batch_pairs(lines, None, "ns-2")
    proxies = [proxy for _, proxy in pairs]
    assert proxies[0] is proxies[1] and proxies[4] is not proxies[0]
    assert [str(p) for p in proxies] == ["sidecar ns-1/app=x", "sidecar ns-1/app=x", "gateway istio-system/edge",
                                         "sidecar ns-2", "sidecar ns-1/app=y"]
    assert [r.host for r, _ in pairs] == ["a", "b", "c", "d", "e"]
