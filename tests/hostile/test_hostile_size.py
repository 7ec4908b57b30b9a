"""Size (issue 13, point 2): findings about a group stay linear in the group.

IST0109 (and INB2005) name the other VirtualServices of a group in every finding: with n on one
host that was n findings of n names each (10,000 VirtualServices printed 1.39 GB). A finding now
names at most analysis.util.NAMED_MEMBERS_LIMIT of them and says how many more there are.
"""

from __future__ import annotations

from istio_notebook.analysis import analyze
from istio_notebook.analysis.util import NAMED_MEMBERS_LIMIT, member_list
from istio_notebook.config import Mesh, Origin, load_text


def many_virtual_services(count: int, gateways: str = "") -> str:
    return "---\n".join(
        f"apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {{name: vs-{i:03}, namespace: default}}\n"
        f"spec:\n  hosts: [reviews]{gateways}\n  http: [{{route: [{{destination: {{host: reviews}}}}]}}]\n"
        for i in range(count)
    )


def test_ist0109_names_ten_of_thirty_and_counts_the_rest():
    mesh = Mesh(load_text(many_virtual_services(30), Origin("vs.yaml")).resources)
    found = [d for d in analyze(mesh) if d.code == "IST0109"]
    assert len(found) == 30  # one per VirtualService, as istioctl reports them
    names = ",".join(f"default/vs-{i:03}" for i in range(NAMED_MEMBERS_LIMIT))
    assert all(f"The VirtualServices {names} (and 20 more) associated with mesh gateway" in d.message for d in found)


def test_a_small_group_is_named_in_full():
    mesh = Mesh(load_text(many_virtual_services(3), Origin("vs.yaml")).resources)
    [first, *_] = [d for d in analyze(mesh) if d.code == "IST0109"]
    assert "The VirtualServices default/vs-000,default/vs-001,default/vs-002 associated" in first.message


def test_a_gateway_host_finding_leaves_out_its_own_resource():
    gateway = "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: default}\nspec:\n  selector: {istio: ingressgateway}\n  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ['*']}]\n---\n"
    text = gateway + many_virtual_services(12, "\n  gateways: [gw]")
    found = [d for d in analyze(Mesh(load_text(text, Origin("vs.yaml")).resources)) if d.code == "INB2005"]
    assert len(found) == 12
    first = next(d for d in found if d.origin.endswith("default/vs-000"))
    assert "default/vs-000" not in first.message.split(" is also defined by ")[1]
    assert first.message.endswith("(and 1 more); their routes are merged in creation order")


def test_member_list_costs_the_limit_not_the_group():
    keys = [f"k{i:06}" for i in range(100_000)]
    assert member_list(keys, 2, without="k000000") == "k000001,k000002 (and 99,997 more)"
    assert member_list(["a", "b"], 2) == "a,b"


def test_a_document_of_more_than_a_million_nodes_is_refused_before_it_is_built():
    # A 31 MB flow list took 5.9 GB to compose (benchmarks/hostile.py prints the figures now).
    from istio_notebook.config.yaml_reader import read_documents
    from istio_notebook.config.yaml_size import DOCUMENT_NODE_LIMIT

    text = "a: 1\n---\n# comment\nitems: [" + ",".join(["1"] * 1_600_000) + "]\n"
    documents, [diagnostic] = read_documents(text, Origin("big.yaml"))
    assert documents == []
    assert (diagnostic.code, diagnostic.line) == ("INB1017", 2)  # the document's first line ('---')
    assert diagnostic.message == f"a YAML document here has more than {DOCUMENT_NODE_LIMIT:,} nodes; the file is not read (memory bound)"


def test_many_small_documents_past_the_cheap_bound_still_load():
    from istio_notebook.config.yaml_reader import read_documents

    text = "---\n".join(f"items: [{','.join(['1'] * 1000)}]\n" for _ in range(1600))  # 1.6M nodes in all
    documents, problems = read_documents(text, Origin("many.yaml"))
    assert problems == [] and len(documents) == 1600


def _services(count: int, start: int = 0) -> str:
    return "---\n".join(f"apiVersion: v1\nkind: Service\nmetadata: {{name: s{i}}}\nspec:\n  ports: [{{port: 80}}]\n"
                        for i in range(start, start + count))


def test_past_the_resource_limit_the_file_is_refused_at_the_first_document_over(monkeypatch):
    # loader.RESOURCE_LIMIT bounds a run's memory (about 3 kB a resource at peak, benchmarks/hostile.py);
    # a small limit here stands for the real 200,000.
    from istio_notebook.config import loader

    monkeypatch.setattr(loader, "RESOURCE_LIMIT", 5)
    result = load_text(_services(6), Origin("many.yaml"))
    assert result.resources == []
    [diagnostic] = result.diagnostics
    assert (diagnostic.code, diagnostic.position.file, diagnostic.line) == ("INB1019", "many.yaml", 31)  # the 6th document
    assert diagnostic.message == "the input holds more than 5 resources; this file and any after it are not read (memory bound)"
    assert len(load_text(_services(5), Origin("five.yaml")).resources) == 5


def test_the_limit_counts_every_file_of_a_run_and_no_later_file_is_read(monkeypatch, tmp_path):
    from istio_notebook.config import loader

    monkeypatch.setattr(loader, "RESOURCE_LIMIT", 5)
    for name, start in (("a.yaml", 0), ("b.yaml", 3), ("c.yaml", 6)):
        (tmp_path / name).write_text(_services(3, start))
    result = loader.load_paths([tmp_path])
    assert [r.name for r in result.resources] == ["s0", "s1", "s2"]  # b.yaml would pass the limit: refused whole
    assert [(d.code, d.position.file.rsplit("/", 1)[-1], d.line) for d in result.diagnostics] == [("INB1019", "b.yaml", 13)]
    assert result.unreadable == result.diagnostics  # exit 2 in `check`


def test_check_past_the_resource_limit_exits_2_with_one_line_naming_file_and_line(monkeypatch, tmp_path, capsys):
    from istio_notebook.cli import main
    from istio_notebook.config import loader

    monkeypatch.setattr(loader, "RESOURCE_LIMIT", 2)
    (tmp_path / "many.yaml").write_text(_services(3))
    assert main(["check", str(tmp_path / "many.yaml")]) == 2
    out, err = capsys.readouterr()
    [line] = [x for x in (out + err).splitlines() if "INB1019" in x]
    assert f"{tmp_path / 'many.yaml'}:13)" in line and "Traceback" not in out + err
