"""Input conventions of the resource-reading commands (issue 20, item 1).

- ``kind: List`` (what ``kubectl get -o yaml|json`` prints) and typed lists (``ServiceList``, as
  the API server returns them, items without apiVersion/kind) are unpacked item by item, and a
  finding names the line and column of the item's own field in the dump;
- JSON is read with JSON's rules (numbers, surrogate pair escapes) and keeps positions;
- ``--namespace`` places resources that name no namespace, as ``kubectl --namespace`` does;
- ``--registry-from DIR`` lets Kubernetes manifests (helm template / kustomize build output)
  serve as the service registry without being checked themselves.

The List shape is the one kubectl prints (k8s.io/kubectl pkg/cmd/get: a ``v1 List`` with
``metadata.resourceVersion: ""``); the JSON layout is kubectl's: 4-space indent, keys sorted.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from istio_notebook.cli import main
from istio_notebook.config import Origin, load_text

VS_ITEM = {
    "apiVersion": "networking.istio.io/v1",
    "kind": "VirtualService",
    "metadata": {"name": "reviews", "namespace": "default"},
    "spec": {"hosts": ["reviews.example.com"], "gateways": ["missing"], "http": [{"route": [{"destination": {"host": "reviews"}}]}]},
}
GATEWAY_ITEM = {
    "apiVersion": "networking.istio.io/v1",
    "kind": "Gateway",
    "metadata": {"name": "public", "namespace": "default"},
    "spec": {"selector": {"istio": "ingressgateway"},
             "servers": [{"port": {"number": 80, "name": "http", "protocol": "HTTP"}, "hosts": ["*"]}]},
}


def kubectl_json(items: list[dict]) -> str:
    """A dump as ``kubectl get -o json`` prints it."""
    return json.dumps({"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}},
                      indent=4, sort_keys=True) + "\n"


def check(capsys, *argv: str) -> tuple[int, list[dict], str]:
    code = main(["check", "--format", "json", *argv])
    out, err = capsys.readouterr()
    return code, (json.loads(out)["diagnostics"] if out else []), err


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_every_item_of_a_yaml_list_is_checked_at_its_own_line(tmp_path: Path, capsys) -> None:
    dump = tmp_path / "dump.yaml"
    text = textwrap.dedent("""\
        apiVersion: v1
        items:
        - apiVersion: networking.istio.io/v1
          kind: Gateway
          metadata: {name: public, namespace: default}
          spec:
            selector: {istio: ingressgateway}
            servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
        - apiVersion: networking.istio.io/v1
          kind: VirtualService
          metadata: {name: reviews, namespace: default}
          spec:
            hosts: [reviews.example.com]
            gateways:
            - missing
            http: [{route: [{destination: {host: reviews}}]}]
        kind: List
        metadata:
          resourceVersion: ""
        """)
    dump.write_text(text)
    code, found, _ = check(capsys, str(dump))
    assert code == 1
    assert [(d["code"], d["origin"], d["line"], d["column"]) for d in found] == [
        ("IST0101", "VirtualService default/reviews", 15, 7),
        ("IST0132", "VirtualService default/reviews", 15, 7),  # the missing gateway serves no host either
    ]
    assert text.splitlines()[14].strip() == "- missing"


def test_a_kubectl_json_dump_is_checked_with_positions(tmp_path: Path, capsys) -> None:
    text = kubectl_json([GATEWAY_ITEM, VS_ITEM])
    dump = tmp_path / "dump.json"
    dump.write_text(text)
    code, found, _ = check(capsys, str(dump))
    assert code == 1
    [d] = [d for d in found if d["code"] == "IST0101"]  # (and IST0132 at the same place)
    assert (d["code"], d["origin"], d["file"]) == ("IST0101", "VirtualService default/reviews", str(dump))
    # The finding is at the "missing" gateway reference inside the second item.
    assert d["line"] == line_of(text, '"missing"')
    assert text.splitlines()[d["line"] - 1][d["column"] - 1:].startswith('"missing"')


def test_a_list_whose_items_are_fine_is_clean_and_an_empty_list_is_no_error(tmp_path: Path, capsys) -> None:
    clean = dict(VS_ITEM, spec={"hosts": ["reviews"], "http": [{"route": [{"destination": {"host": "reviews"}}]}]})
    (tmp_path / "clean.json").write_text(kubectl_json([clean]))
    (tmp_path / "empty.yaml").write_text("apiVersion: v1\nitems: []\nkind: List\nmetadata:\n  resourceVersion: \"\"\n")
    assert check(capsys, str(tmp_path / "clean.json"), str(tmp_path / "empty.yaml")) == (0, [], "")


def test_typed_list_items_take_the_lists_apiversion_and_kind(tmp_path: Path) -> None:
    # GET /apis/networking.istio.io/v1/namespaces/default/virtualservices answers a VirtualServiceList.
    text = json.dumps({"apiVersion": "networking.istio.io/v1", "kind": "VirtualServiceList", "metadata": {},
                       "items": [{"metadata": {"name": "a"}, "spec": {"hosts": ["a"]}}]}, indent=4)
    [resource] = load_text(text, Origin("list.json")).resources
    assert (resource.api_version, resource.kind, resource.key) == ("networking.istio.io/v1", "VirtualService", "default/a")
    assert resource.position.line == line_of(text, '"items"') + 1  # the item's opening brace, not the list's


def test_json_numbers_and_surrogate_pairs_follow_json_not_yaml_1_1() -> None:
    # YAML 1.1 reads 1e3 as a string and rejects escaped surrogate pairs; JSON (RFC 8259 §6, §7) does not.
    text = ('{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "annotations": '
            '{"smile": "\\ud83d\\ude00", "n": 1e3}}, "spec": {"ports": [{"port": 80}]}}')
    loaded = load_text(text, Origin("svc.json"))
    assert loaded.diagnostics == []
    [service] = loaded.resources
    assert service.annotations == {"smile": "\U0001F600", "n": "1000.0"}
    assert service.get("metadata", "annotations", "n") == 1000.0
    # Positions after the replaced escape are unchanged: "n" is where it is in the text.
    assert service.locate("metadata", "annotations", "n").column == text.index('"n"') + 1


def test_json_files_are_found_in_directories(tmp_path: Path, capsys) -> None:
    (tmp_path / "dump.json").write_text(kubectl_json([GATEWAY_ITEM, VS_ITEM]))
    code, found, _ = check(capsys, str(tmp_path))
    assert code == 1 and [d["code"] for d in found] == ["IST0101", "IST0132"]


def test_namespace_option_places_resources_without_one(tmp_path: Path, capsys) -> None:
    vs = dict(VS_ITEM, metadata={"name": "reviews"})
    (tmp_path / "vs.json").write_text(kubectl_json([GATEWAY_ITEM, vs]))
    _, found, _ = check(capsys, str(tmp_path / "vs.json"), "--namespace", "shop")
    assert {d["origin"] for d in found} == {"VirtualService shop/reviews"}
    _, found, _ = check(capsys, str(tmp_path / "vs.json"))
    assert {d["origin"] for d in found} == {"VirtualService default/reviews"}


SHOP_VS = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: cart}
spec:
  hosts: [cart]
  http: [{route: [{destination: {host: cart, port: {number: 8080}}}]}]
"""


def helm_output(tmp_path: Path, *services: str) -> Path:
    """A folder as `helm template` leaves it: manifests without namespaces, a README, a ConfigMap."""
    chart = tmp_path / "rendered" / "shop" / "templates"
    chart.mkdir(parents=True)
    for name in services:
        (chart / f"{name}-service.yaml").write_text(
            f"---\n# Source: shop/templates/{name}-service.yaml\napiVersion: v1\nkind: Service\n"
            f"metadata: {{name: {name}}}\nspec:\n  selector: {{app: {name}}}\n  ports: [{{port: 8080, name: web}}]\n")
    (chart / "configmap.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: b}\n")
    # A README with a broken example: not a manifest, never read.
    (tmp_path / "rendered" / "README.md").write_text("```yaml\nkind: [\n```\n")
    return tmp_path / "rendered"


def test_registry_folder_serves_as_the_service_registry(tmp_path: Path, capsys) -> None:
    (tmp_path / "vs.yaml").write_text(SHOP_VS)
    # The registry knows namespace shop but has no cart Service: the destination is not found (IST0101).
    without = helm_output(tmp_path / "a", "catalog")
    code, found, _ = check(capsys, str(tmp_path / "vs.yaml"), "-n", "shop", "--registry-from", str(without))
    assert code == 1
    assert [(d["code"], d["origin"], d["file"]) for d in found] == [("IST0101", "VirtualService shop/cart", str(tmp_path / "vs.yaml"))]
    with_cart = helm_output(tmp_path / "b", "catalog", "cart")
    assert check(capsys, str(tmp_path / "vs.yaml"), "-n", "shop", "--registry-from", str(with_cart)) == (0, [], "")


def test_registry_findings_are_not_reported_but_an_unreadable_registry_is(tmp_path: Path, capsys) -> None:
    (tmp_path / "vs.yaml").write_text(SHOP_VS)
    registry = helm_output(tmp_path, "cart")
    # A registry manifest that would be an error if it were checked (a Service without a name).
    (registry / "broken.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata: {}\n")
    assert check(capsys, str(tmp_path / "vs.yaml"), "-n", "shop", "--registry-from", str(registry)) == (0, [], "")
    code, found, _ = check(capsys, str(tmp_path / "vs.yaml"), "--registry-from", str(tmp_path / "nowhere"))
    assert code == 2 and [d["code"] for d in found] == ["INB1011"]


def test_route_uses_the_registry_and_the_namespace(tmp_path: Path, capsys) -> None:
    (tmp_path / "vs.yaml").write_text(SHOP_VS)
    registry = helm_output(tmp_path, "cart")
    code = main(["route", str(tmp_path / "vs.yaml"), "-n", "shop", "--registry-from", str(registry),
                 "--request", "GET http://cart.shop:8080/", "--from", "shop", "--format", "json"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert result["virtual_service"] == "shop/cart"
    assert [d["cluster"] for d in result["destinations"]] == ["outbound|8080||cart.shop.svc.cluster.local"]


def test_commands_without_any_input_are_usage_errors(capsys) -> None:
    assert main(["check"]) == 2
    assert "give at least one PATH" in capsys.readouterr().err
    assert main(["route", "--request", "GET http://a/"]) == 2
