"""Meta-tests over the analyzer registry and the message catalogue (as istio's analyzers_test.go
checks that every analyzer is registered and every message is documented)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import yaml

import istio_notebook
from istio_notebook.analysis import messages
from istio_notebook.analysis.analyzers import ANALYZERS, by_name
from istio_notebook.config import Origin, load_text
from istio_notebook.diagnostics import CATALOGUE, Diagnostic
from istio_notebook.diagnostics import catalogue as catalogue_module

PACKAGE_ROOT = Path(istio_notebook.__file__).parent
CATALOGUE_FILE = Path(catalogue_module.__file__).with_name("messages.yaml")
CODE = re.compile(r"\b(IST|INB)\d{4}\b")


def _analyzer_modules():
    import istio_notebook.analysis.analyzers as root

    for info in pkgutil.walk_packages(root.__path__, root.__name__ + "."):
        module = importlib.import_module(info.name)
        if hasattr(module, "METADATA"):
            yield module


def test_every_analyzer_module_is_registered():
    assert {m.__name__ for m in _analyzer_modules()} == {m.__name__ for m in ANALYZERS}


def test_analyzer_names_are_unique_and_kind_dot_check():
    names = [a.METADATA.name for a in ANALYZERS]
    assert len(names) == len(set(names)) == len(by_name())
    for name in names:
        # istioctl's own names where we mirror one, camelCase prefixes included (applicationUID.Analyzer, k8sgateway.X).
        assert re.fullmatch(r"[a-z][A-Za-z0-9]*\.[A-Z][A-Za-z0-9]+", name), name


def test_analyzers_have_a_one_line_description_inputs_and_analyze():
    for analyzer in ANALYZERS:
        meta = analyzer.METADATA
        assert meta.description and "\n" not in meta.description, meta.name
        assert meta.inputs, meta.name
        assert callable(analyzer.analyze), meta.name
        assert analyzer.__doc__, f"{meta.name}: the module docstring is the analyzer's documentation"


def test_catalogue_codes_are_unique_and_ordered_within_each_range():
    entries = yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))["messages"]
    codes = [e["code"] for e in entries]
    assert len(codes) == len(set(codes))
    for prefix in ("IST", "INB"):
        family = [c for c in codes if c.startswith(prefix)]
        assert family == sorted(family), prefix


def test_every_catalogue_entry_is_documented_and_renders():
    for code, msg in CATALOGUE.items():
        assert CODE.fullmatch(code), code
        assert msg.description and msg.name and re.fullmatch(r"[A-Z][A-Za-z0-9]+", msg.name), code
        assert msg.source in ("istioctl", "kiali", "istio-notebook"), code
        assert code.startswith("IST") == (msg.source == "istioctl"), code
        if msg.source == "kiali":
            assert re.search(r"\bKIA\d{4}\b", msg.description), f"{code}: name the Kiali code it mirrors"
        rendered = msg.render(**{f: f"<{f}>" for f in msg.fields})
        for f in msg.fields:
            assert f"<{f}>" in rendered


# The ranges the loader and the analyzers own; the examples (INB3), labs (INB4) and envoy (INB5)
# rooms add codes ahead of their code, so their ranges are left to their own tests.
CHECKED_RANGES = ("IST", "INB1", "INB2")


def test_every_catalogue_code_is_used_by_the_package():
    sources = "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE_ROOT.rglob("*.py"))
    used = set(m.group(0) for m in CODE.finditer(sources))
    owned = {c for c in CATALOGUE if c.startswith(CHECKED_RANGES)}
    assert sorted(owned - used) == []


def _sample_resource():
    text = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: r, namespace: ns}\nspec: {hosts: [a]}\n"
    return load_text(text, Origin("sample.yaml")).resources[0]


def test_every_typed_constructor_matches_its_catalogue_template():
    resource = _sample_resource()
    constructors = [
        f for name, f in inspect.getmembers(messages, inspect.isfunction) if f.__module__ == messages.__name__ and not name.startswith("_")
    ]
    assert constructors
    for build in constructors:
        args = []
        for name, param in inspect.signature(build).parameters.items():
            if name in ("resource", "first"):
                args.append(resource)
            elif name == "path":
                args.append(("spec", "hosts"))
            else:
                args.append(f"<{name}>")
        diagnostic = build(*args)
        assert isinstance(diagnostic, Diagnostic), build.__name__
        assert diagnostic.origin == "VirtualService ns/r" and diagnostic.file == "sample.yaml", build.__name__


def test_every_catalogue_code_has_a_fix_hint_in_english_and_japanese():
    """Issue 16: the diagnostics reference, the 診断 tab and ``check --lang`` give every code a
    way to fix it, in both languages (messages.yaml hint_en / hint_ja)."""
    kana = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
    for code, msg in CATALOGUE.items():
        en, ja = msg.hint("en"), msg.hint("ja")
        assert en and ja, f"{code}: give hint_en and hint_ja in messages.yaml"
        assert not kana.search(en) and en.endswith("."), f"{code}: hint_en is one English text ending with '.'"
        assert kana.search(ja) and ja.endswith("。"), f"{code}: hint_ja is Japanese ending with '。'"


def test_japanese_hints_follow_the_style_guide():
    """The Japanese hints are site text: the style guide's banned spellings apply (tests/content)."""
    from tests.content.test_style import terms, violations

    assert violations(CATALOGUE_FILE, terms(), root=CATALOGUE_FILE.parents[3]) == []
