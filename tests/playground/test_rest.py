"""istio_notebook.playground.rest: the modules the first runs never import live in a zip that is
fetched only when a run imports one of them (tools/playground/bundle.py splits them off). The
finder works through the stdlib's zipimport, the same code in Pyodide as here."""

from __future__ import annotations

import sys
import zipfile

import pytest
from istio_notebook.playground.rest import RestFinder, install, module_name

REST = {
    "lazydemo/__init__.py": "FROM = 'rest'\n",
    "lazydemo/deep.py": "VALUE = 42\n",
    "firstdemo/extra.py": "from firstdemo import BASE\nVALUE = BASE + 1\n",
}


@pytest.fixture
def rest(tmp_path, monkeypatch):
    """A first part on sys.path (firstdemo/__init__.py) and a rest zip behind a counting fetch."""
    (tmp_path / "first" / "firstdemo").mkdir(parents=True)
    (tmp_path / "first" / "firstdemo" / "__init__.py").write_text("BASE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path / "first"))
    source = tmp_path / "served.zip"
    with zipfile.ZipFile(source, "w") as archive:
        for name, text in REST.items():
            archive.writestr(name, text)
    fetches = []

    def fetch() -> bytes:
        fetches.append(1)
        return source.read_bytes()

    names = [module_name(name) for name in REST]
    finder = install(names, str(tmp_path / "rest.zip"), fetch)
    yield finder, fetches
    sys.meta_path.remove(finder)
    for name in [*names, "firstdemo"]:
        sys.modules.pop(name, None)


@pytest.mark.parametrize(
    ("member", "name"),
    [("a/b/__init__.pyc", "a.b"), ("a/c.pyc", "a.c"), ("top.py", "top"), ("a/data.yaml", None), ("a/__pycache__/c.cpython-314.pyc", None)],
)
def test_a_members_module_name(member, name):
    assert module_name(member) == name


def test_nothing_is_fetched_until_a_rest_module_is_imported_then_once(rest):
    finder, fetches = rest
    assert fetches == []
    import lazydemo.deep

    assert (lazydemo.FROM, lazydemo.deep.VALUE, len(fetches), finder.fetched) == ("rest", 42, 1, True)
    assert lazydemo.deep.__file__.startswith(finder.where)


def test_a_rest_submodule_of_a_package_of_the_first_part_imports(rest):
    _, fetches = rest
    import firstdemo.extra

    assert (firstdemo.extra.VALUE, len(fetches)) == (2, 1)


def test_a_module_that_exists_nowhere_fails_as_usual_without_a_download(rest):
    _, fetches = rest
    with pytest.raises(ModuleNotFoundError):
        import lazydemo_missing  # noqa: F401
    with pytest.raises(ModuleNotFoundError):
        import firstdemo.missing  # noqa: F401
    assert fetches == []


def test_a_js_buffer_is_taken_through_its_to_bytes(tmp_path):
    """In the worker, fetch returns a JavaScript Uint8Array, which Pyodide hands over as a JsBuffer."""
    source = tmp_path / "served.zip"
    with zipfile.ZipFile(source, "w") as archive:
        archive.writestr("jsdemo.py", "VALUE = 7\n")

    class JsBuffer:
        def to_bytes(self) -> bytes:
            return source.read_bytes()

    finder = RestFinder(["jsdemo"], str(tmp_path / "rest.zip"), JsBuffer)
    spec = finder.find_spec("jsdemo")
    assert spec is not None and spec.origin.startswith(str(tmp_path / "rest.zip"))
    assert finder.find_spec("other") is None
