"""House rule (issue 12): a new match kind touches at most 4 source files.

A match kind is one class in config/matchers.py that owns how it matches, why it did not, how it
reads in the trace, its Envoy form and whether it narrows another. That stays true only while
the rest of the package asks the matcher instead of branching on which class it is: a module
that writes ``isinstance(m, Prefix)``, ``type(m) is Regex`` or ``m.kind == "regex"`` would have
to learn every new kind. This test reads the source (AST) of every module of plugins/ and fails
on such a branch outside config/matchers.py.

What it pins: no isinstance/type check against a Matcher class (found by importing
config/matchers.py, so a new kind is covered without editing this test), and no comparison of
an attribute named ``kind`` with a string that is a Matcher kind, except the places ``KNOWN``
lists with why (it may only shrink: an entry that no longer branches fails too).
What it cannot see: dispatch written another way (a dict keyed by kind strings, getattr on a
name built from the kind, ``match`` statements), and it cannot tell a matcher's ``kind`` from
another object's that uses the same words (CORS origins: those are listed in KNOWN).
"""

from __future__ import annotations

import ast
from pathlib import Path

from istio_notebook.config import matchers

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "plugins" / "istio_notebook"
HOME = "config/matchers.py"

# "path:function" → why it may branch on a matcher's class or kind.
KNOWN: dict[str, str] = {
    # Registration point of the Gateway API front-end: its PathPrefix is Envoy's
    # path_separated_prefix, so the factory's Prefix is swapped for SegmentPrefix.
    "routing/actions.py:route_match": "factory (gateway semantics)",
    # ReplacePrefixMatch "" is defined on path_separated_prefix only (route.go applyHTTPRouteDestination).
    "routing/build.py:gateway_rewrite": "Gateway API rewrite of one kind",
    # istioctl's duplicate-prefix check is about uri prefix matches alone (the analyzer it follows).
    "analysis/analyzers/virtualservice/unreachable_rules.py:_prefix_match": "one kind by definition",
    # CORS origins (routing.outcome.OriginMatch) use the same kind words; they are not Matchers.
    "routing/outcome.py:to_json": "OriginMatch, not a Matcher",
    "envoy/observe.py:preflight_origin": "OriginMatch, not a Matcher",
    "envoy/routes.py:cors_policy": "OriginMatch, not a Matcher",
}


def _matcher_classes() -> tuple[set[str], set[str]]:
    """Names of every Matcher class and every kind string they declare."""
    classes, pending = set(), [matchers.Matcher]
    while pending:
        cls = pending.pop()
        classes.add(cls)
        pending.extend(cls.__subclasses__())
    return {c.__name__ for c in classes}, {c.kind for c in classes if c.kind}


def _names(node: ast.expr) -> list[str]:
    items = node.elts if isinstance(node, (ast.Tuple, ast.List, ast.Set)) else [node]
    return [n.id if isinstance(n, ast.Name) else n.attr for n in items if isinstance(n, (ast.Name, ast.Attribute))]


def _strings(node: ast.expr) -> list[str]:
    items = node.elts if isinstance(node, (ast.Tuple, ast.List, ast.Set)) else [node]
    return [n.value for n in items if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _branches(node: ast.AST, classes: set[str], kinds: set[str]) -> bool:
    """Is ``node`` a class check against a Matcher class, or ``x.kind`` compared with a Matcher kind?"""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "isinstance" and len(node.args) == 2:
        return bool(set(_names(node.args[1])) & classes)
    if not isinstance(node, ast.Compare):
        return False
    sides = [node.left, *node.comparators]
    if any(isinstance(s, ast.Call) and isinstance(s.func, ast.Name) and s.func.id == "type" for s in sides):
        return any(set(_names(s)) & classes for s in sides)
    if any(isinstance(s, ast.Attribute) and s.attr == "kind" for s in sides):
        return any(set(_strings(s)) & kinds for s in sides)
    return False


def _functions(tree: ast.AST) -> dict[ast.AST, str]:
    """Each node → the name of the innermost function around it ("<module>" outside any)."""
    owner: dict[ast.AST, str] = {}

    def visit(node: ast.AST, name: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else name
            owner[child] = inner
            visit(child, inner)

    visit(tree, "<module>")
    return owner


def found() -> dict[str, int]:
    """``path:function`` → how many matcher branches it has, over every module but the matchers' home."""
    classes, kinds = _matcher_classes()
    out: dict[str, int] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        if name == HOME or name.startswith("config/models/"):  # generated models: no routing logic
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node, function in _functions(tree).items():
            if _branches(node, classes, kinds):
                key = f"{name}:{function}"
                out[key] = out.get(key, 0) + 1
    return out


def test_the_check_sees_a_class_branch_and_a_kind_branch():
    classes, kinds = _matcher_classes()
    assert {"Exact", "Prefix", "Regex", "PathTemplate"} <= classes and {"exact", "prefix", "regex"} <= kinds
    for source in ("isinstance(m, Prefix)", "isinstance(m, (str, matchers.Regex))", "type(m) is Exact",
                   "m.path.kind == 'regex'", "m.kind in ('exact', 'prefix')"):
        assert _branches(ast.parse(source, mode="eval").body, classes, kinds), source
    for source in ("isinstance(m, str)", "m.kind == 'sidecar'", "m.path.matches(p)", "kind == 'regex'"):
        assert not _branches(ast.parse(source, mode="eval").body, classes, kinds), source


def test_no_module_branches_on_a_matcher_class_outside_its_home():
    new = sorted(k for k in found() if k not in KNOWN)
    assert not new, (f"branches on a Matcher's class or kind outside {HOME}: {new}; ask the matcher "
                     "instead (a method on the Matcher classes), so a new match kind stays in few files")


def test_known_branches_leave_the_list_when_gone():
    gone = sorted(k for k in KNOWN if k not in found())
    assert not gone, f"no longer branches on a matcher, remove from KNOWN: {gone}"
