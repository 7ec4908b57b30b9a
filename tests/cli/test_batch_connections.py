"""`route --requests FILE` with tcp:// and tls:// lines: the `sni` key is the `--sni` option of one
request (docs/reference/cli.md), and a bad one names its line."""

from __future__ import annotations

import json
from pathlib import Path

from istio_notebook.cli import main

SERVICE_ENTRY = """
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: external, namespace: default}
spec:
  hosts: [api.example.com, www.example.com]
  location: MESH_EXTERNAL
  resolution: DNS
  ports: [{number: 443, name: tls, protocol: TLS}]
"""


def _files(tmp_path: Path, lines: list[dict]) -> tuple[str, str]:
    mesh, requests = tmp_path / "mesh.yaml", tmp_path / "requests.jsonl"
    mesh.write_text(SERVICE_ENTRY)
    requests.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return str(mesh), str(requests)


def test_the_sni_key_answers_as_the_sni_option(tmp_path: Path, capsys):
    mesh, requests = _files(tmp_path, [{"request": "tls://api.example.com:443", "sni": "www.example.com"},
                                       {"request": "tcp://db.example.net:5432"}])
    assert main(["route", mesh, "--requests", requests, "--lang", "en"]) == 0
    batch = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert main(["route", mesh, "--request", "tls://api.example.com:443", "--sni", "www.example.com",
                 "--format", "json", "--lang", "en"]) == 0
    single = json.loads(capsys.readouterr().out)
    assert batch[0] == single and [d["cluster"] for d in single["destinations"]] == ["outbound|443||www.example.com"]
    assert batch[1]["action"] == "passthrough"


def test_a_bad_sni_names_its_line(tmp_path: Path, capsys):
    mesh, requests = _files(tmp_path, [{"request": "tls://api.example.com:443"}, {"request": "tcp://db:5432", "sni": "x"}])
    assert main(["route", mesh, "--requests", requests]) == 2
    assert f"{requests}:2:" in capsys.readouterr().err
    mesh, requests = _files(tmp_path, [{"request": "tls://api.example.com:443", "sni": 7}])
    assert main(["route", mesh, "--requests", requests]) == 2
    assert "'sni' must be a string" in capsys.readouterr().err
