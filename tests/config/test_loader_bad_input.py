"""The loader's bad-input table: every malformed input gets one clear diagnostic, never a crash.

Issue 2, point 2: duplicate keys, alias bombs, tabs, non-mapping documents, missing
apiVersion/kind/name, unknown kinds, non-UTF-8, binary and empty files, custom tags; plus a
10 MB file that must load, and Markdown fences whose YAML sits indented in admonitions/tabs.
"""

from __future__ import annotations


import pytest

from istio_notebook.config import Origin, load_paths, load_text
from istio_notebook.config.loader import read_text

SERVICE = "apiVersion: v1\nkind: Service\nmetadata: {name: reviews}\nspec: {ports: [{port: 9080}]}\n"

# A document of 10 anchors, each a list of ten aliases to the previous one: 10**8 nodes expanded.
BILLION_LAUGHS = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 9)
)

# (case, text or bytes, expected [(code, line)], resources expected to load)
CASES = [
    ("duplicate key", "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  name: b\n", [("INB1002", 5)], 1),
    ("billion laughs refused", BILLION_LAUGHS, [("INB1003", 1)], 0),
    ("recursive alias", "apiVersion: v1\nkind: Service\nmetadata: &m {name: a, self: *m}\n", [("INB1001", 3)], 0),
    ("tab indentation", "apiVersion: v1\nkind: Service\nmetadata:\n\tname: a\n", [("INB1004", 4)], 0),
    ("document is a list", "- a\n- b\n", [("INB1005", 1)], 0),
    ("document is a scalar", "hello\n", [("INB1005", 1)], 0),
    ("missing apiVersion", "kind: Service\nmetadata: {name: a}\n", [("INB1006", 1)], 0),
    ("missing kind", "apiVersion: v1\nmetadata: {name: a}\n", [("INB1006", 1)], 0),
    ("missing metadata.name", "apiVersion: v1\nkind: Service\nmetadata: {}\n", [("INB1006", 3)], 0),
    ("kind is not a string", "apiVersion: v1\nkind: [Service]\nmetadata: {name: a}\n", [("INB1006", 2)], 0),
    ("unknown kind", "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: a}\n", [("INB1007", 2)], 0),
    # A known kind under an apiVersion that does not serve it: the API server answers "no matches
    # for kind", so it is an Error naming the apiVersions that serve it (issue 16).
    ("unserved version", "apiVersion: networking.istio.io/v9\nkind: VirtualService\nmetadata: {name: a}\n", [("INB1015", 1)], 0),
    ("wrong API group", "apiVersion: install.istio.io/v1alpha1\nkind: PeerAuthentication\nmetadata: {name: a}\n", [("INB1015", 1)], 0),
    ("core kind under an Istio group", "apiVersion: networking.istio.io/v1\nkind: Service\nmetadata: {name: a}\n", [("INB1015", 1)], 0),
    ("same kind name in someone else's group", "apiVersion: example.com/v1\nkind: VirtualService\nmetadata: {name: a}\n", [("INB1007", 2)], 0),
    ("Gateway API Gateway is modelled as its own kind", "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: a}\n", [], 1),
    ("read-only kind", "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a}\n", [("INB1014", 2)], 0),
    # ConfigMaps are kept without a schema: the injection analyzer reads the injector's values (IST0148).
    ("kept kind", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n", [], 1),
    ("empty text", "", [("INB1010", 1)], 0),
    ("only comments", "# nothing here\n", [("INB1010", 1)], 0),
    ("empty documents between separators", "---\n---\n" + SERVICE + "---\n---\n", [], 1),
    ("python tag", "apiVersion: v1\nkind: !!python/object:os.system ls\nmetadata: {name: a}\n", [("INB1013", 2)], 0),
    ("custom local tag", "apiVersion: v1\nkind: Service\nmetadata: !mine {name: a}\n", [("INB1013", 3)], 0),
    ("syntax error keeps earlier documents", SERVICE + "---\na: [\n", [("INB1001", 7)], 1),
    ("merge key is read", "base: &b {name: a}\napiVersion: v1\nkind: Service\nmetadata: {<<: *b}\n", [], 1),
]


@pytest.mark.parametrize(("case", "text", "expected", "loaded"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_gets_exactly_its_diagnostic(case, text, expected, loaded):
    result = load_text(text, Origin("input.yaml"))
    assert [(d.code, d.line) for d in result.diagnostics] == expected
    assert len(result.resources) == loaded
    assert all(d.file == "input.yaml" for d in result.diagnostics)


def test_wrong_api_group_names_the_serving_api_versions():
    [diagnostic] = load_text("apiVersion: install.istio.io/v1alpha1\nkind: PeerAuthentication\nmetadata: {name: a}\n", Origin("f")).diagnostics
    assert (diagnostic.level.value, diagnostic.message) == (
        "Error",
        "PeerAuthentication is not served by install.istio.io/v1alpha1; use apiVersion security.istio.io/v1 or security.istio.io/v1beta1",
    )


def test_duplicate_key_names_the_resource():
    [diagnostic] = load_text("apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  namespace: x\n  name: b\n", Origin("f")).diagnostics
    assert diagnostic.origin == "Service x/b"


@pytest.mark.parametrize(
    ("name", "raw", "code"),
    [
        ("binary.yaml", b"apiVersion: v1\x00\x01", "INB1009"),
        ("latin1.yaml", "kind: Caf\xe9\n".encode("latin-1"), "INB1008"),
        ("empty.yaml", b"", "INB1010"),
    ],
)
def test_unreadable_bytes_are_reported_per_file(tmp_path, name, raw, code):
    path = tmp_path / name
    path.write_bytes(raw)
    result = load_paths([path])
    assert [(d.code, d.file) for d in result.diagnostics] == [(code, str(path))]


def test_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + SERVICE.encode())
    result = load_paths([path])
    assert result.diagnostics == [] and len(result.resources) == 1


def test_missing_path_is_unreadable(tmp_path):
    [diagnostic] = load_paths([tmp_path / "nope.yaml"]).diagnostics
    assert diagnostic.code == "INB1011"


def test_file_over_the_limit_is_not_read(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text(SERVICE, encoding="utf-8")
    text, [diagnostic] = read_text(path, max_bytes=10)
    assert text is None and diagnostic.code == "INB1012"


@pytest.mark.slow
def test_ten_megabyte_file_loads_without_error(tmp_path):
    path = tmp_path / "large.yaml"
    documents = [
        f"apiVersion: v1\nkind: Service\nmetadata:\n  name: svc-{i}\n  namespace: ns-{i % 50}\n"
        f"  labels: {{app: svc-{i}, tier: backend}}\nspec:\n  selector: {{app: svc-{i}}}\n"
        f"  ports:\n  - {{name: http, port: 8080, targetPort: 8080}}\n  - {{name: grpc, port: 9090}}\n"
        for i in range(48_000)
    ]
    path.write_text("---\n".join(documents), encoding="utf-8")
    assert path.stat().st_size >= 10 * 1024 * 1024
    result = load_paths([path])
    assert result.diagnostics == []
    assert len(result.resources) == 48_000
    last = result.resources[-1]
    assert last.locate("spec", "ports", 1, "port").line == path.read_text().count("\n")


MARKDOWN = """\
# Page

!!! note "Admonition"

    ```yaml
    apiVersion: v1
    kind: Service
    metadata: {name: in-admonition}
    spec:
      ports: [{port: 1}]
    ```

=== "Tab"

    !!! tip

        ```yaml
        apiVersion: v1
        kind: Service
        metadata: {name: in-tab}
        spec:
          ports: [{port: 2}]
        ```

1. A list item

   ```yaml
   apiVersion: v1
   kind: Service
   metadata:
     name: in-list
   ```
"""


@pytest.mark.parametrize(
    ("name", "path", "line", "column"),
    [
        ("in-admonition", ("spec", "ports", 0, "port"), 10, 16),
        ("in-tab", ("spec", "ports", 0, "port"), 22, 20),
        ("in-list", ("metadata", "name"), 31, 6),
    ],
)
def test_markdown_fences_map_fields_to_file_lines(tmp_path, name, path, line, column):
    page = tmp_path / "page.md"
    page.write_text(MARKDOWN, encoding="utf-8")
    result = load_paths([page])
    assert result.diagnostics == []
    [resource] = [r for r in result.resources if r.name == name]
    position = resource.locate(*path)
    assert (position.file, position.line, position.column) == (str(page), line, column)
    key = path[-1] if isinstance(path[-1], str) else None
    if key:
        assert MARKDOWN.splitlines()[line - 1][column - 1 :].startswith(key)


def test_the_loader_and_the_example_syntax_read_a_fence_language_alike(tmp_path):
    # One rule (config.markdown.fence_language): what `check` validates, `route` loads too.
    from istio_notebook.examples.options import parse_info

    infos = ['{ .yaml title="vs.yaml" }', 'yaml\ttitle="x"', "YML", 'title="x"', "yamlish"]
    page = tmp_path / "page.md"
    page.write_text(
        "".join(f"```{info}\napiVersion: v1\nkind: Service\nmetadata: {{name: s{i}}}\n```\n\n" for i, info in enumerate(infos)),
        encoding="utf-8",
    )
    loaded = sorted(r.name for r in load_paths([page]).resources)
    assert loaded == sorted(f"s{i}" for i, info in enumerate(infos) if parse_info(info)[0] in ("yaml", "yml"))
    assert loaded == ["s0", "s1", "s2"]
