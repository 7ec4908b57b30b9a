"""Where the checked MkDocs build spends its extra time: CPU seconds per phase of one build.

Runs one `mkdocs build` in this fresh process (as benchmarks/build.py times it) with the phases'
functions wrapped in CPU-time counters (``time.process_time``: what the build computes, which a
loaded machine does not inflate as it does wall time), and prints each phase's CPU time, calls and
share of the build. The import of the package is timed on its own, first (after MkDocs, Markdown,
pymdownx and Material, which every build imports). Phases nest (the check phase contains the cache
read); a recursive call is counted once. Usage, one build per process:

    .venv/bin/python benchmarks/build_phases.py cold|warm|plain [--config mkdocs.yml] [--builder mkdocs|zensical]

``cold`` removes the checking cache first, ``plain`` builds with the plugin's ``enabled: false``
(a copy of the config beside it). Run it on a copy of the site (benchmarks/build.py's
``site_copy``) or in the repository (it writes ``site/`` and the cache like `./dev build`).
"""

from __future__ import annotations

import argparse
import functools
import gc
import importlib
import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

# (label, module, attribute path): the functions a checked build adds or changes, in pipeline order.
PHASES = (
    ("check phase (plugin on_files)", "istio_notebook.mkdocs.plugin", "IstioNotebookPlugin.on_files"),
    ("  page key (hash of code, fixtures, page)", "istio_notebook.markdown.checker", "page_key"),
    ("  fixtures digest", "istio_notebook.markdown.checker", "Checker.fixtures_digest"),
    ("  cache read + decode", "istio_notebook.markdown.cache", "ResultCache.get"),
    ("  run examples and checks", "istio_notebook.markdown.checker", "run_page"),
    ("  diagrams + Envoy excerpts", "istio_notebook.markdown.checker", "prepare"),
    ("    Envoy excerpts", "istio_notebook.markdown.checker", "page_excerpts"),
    ("  cache encode + write", "istio_notebook.markdown.cache", "ResultCache.put"),
    ("pages checked or read from the cache (Checker.check)", "istio_notebook.markdown.checker", "Checker.check"),
    ("extension preprocessor (per page)", "istio_notebook.markdown.extension", "PagePreprocessor.run"),
    ("  generated reference sections", "istio_notebook.markdown.extension", "reports.fill_static"),
    ("  tag fences", "istio_notebook.markdown.checker", "tag_fences"),
    ("YAML fence formatter", "istio_notebook.markdown.fences", "format_yaml"),
    ("check fence formatter", "istio_notebook.markdown.fences", "format_check"),
    ("  highlighting (plain builds too)", "istio_notebook.markdown.fences", "_highlight"),
    ("attach panels (on_post_page)", "istio_notebook.mkdocs.plugin", "IstioNotebookPlugin.on_post_page"),
    ("cache prune (on_post_build)", "istio_notebook.markdown.cache", "ResultCache.prune"),
    ("glossary links (plain builds too)", "istio_notebook.reading.terms", "TermsTreeprocessor.run"),
    ("search index (plain builds too)", "material.plugins.search.plugin", "SearchPlugin.on_page_context"),
    ("search index write", "material.plugins.search.plugin", "SearchPlugin.on_post_build"),
    ("Markdown conversion (all pages)", "markdown.core", "Markdown.convert"),
)


class Counter:
    def __init__(self) -> None:
        self.seconds = 0.0
        self.calls = 0
        self.depth = 0


def wrap(owner: object, name: str, counter: Counter) -> None:
    original: Callable = getattr(owner, name)

    @functools.wraps(original)  # same name: Zensical pickles the fence formatters by reference
    def timed(*args, **kwargs):
        counter.calls += 1
        counter.depth += 1
        started = time.process_time() if counter.depth == 1 else 0.0
        try:
            return original(*args, **kwargs)
        finally:
            counter.depth -= 1
            if counter.depth == 0:
                counter.seconds += time.process_time() - started

    setattr(owner, name, timed)


def instrument() -> dict[str, Counter]:
    counters: dict[str, Counter] = {}
    for label, module_name, path in PHASES:
        owner: object = importlib.import_module(module_name)
        *parents, name = path.split(".")
        for parent in parents:
            owner = getattr(owner, parent)
        counters[label] = counter = Counter()
        wrap(owner, name, counter)
    return counters


def gc_counter() -> Counter:
    counter = Counter()
    started = [0.0]

    def callback(phase: str, info: dict) -> None:
        if phase == "start":
            started[0] = time.process_time()
        else:
            counter.calls += 1
            counter.seconds += time.process_time() - started[0]

    gc.callbacks.append(callback)
    return counter


ENTRY = {"mkdocs": "  - istio-notebook:\n", "zensical": "  - istio_notebook.markdown:\n"}  # as benchmarks/build.py switches


def plain_config(config: Path, builder: str) -> Path:
    text = config.read_text(encoding="utf-8").replace(ENTRY[builder], f"{ENTRY[builder]}      enabled: false\n", 1)
    target = config.with_name(f"{builder}-plain.yml")
    target.write_text(text, encoding="utf-8")
    return target


def preimport(builder: str) -> None:
    """What every build of ``builder`` imports, before the package's own imports."""
    import markdown  # noqa: F401
    import pymdownx.superfences  # noqa: F401

    if builder == "mkdocs":
        import material  # noqa: F401
        import mkdocs.commands.build  # noqa: F401
        import mkdocs.config.defaults  # noqa: F401
    else:
        import zensical.main  # noqa: F401


def run(builder: str, config: Path) -> None:
    if builder == "mkdocs":
        from mkdocs.__main__ import cli

        cli.main(["build", "--quiet", "-f", str(config), "--site-dir", str(config.parent / "site")], standalone_mode=False)
    else:
        from zensical.main import cli

        cli.main(["build", "--clean", "-f", str(config)], standalone_mode=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=("cold", "warm", "plain"))
    parser.add_argument("--config", default="mkdocs.yml")
    parser.add_argument("--builder", choices=tuple(ENTRY), default="mkdocs")
    args = parser.parse_args()
    config = Path(args.config).resolve()
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    if args.kind == "cold":
        shutil.rmtree(config.parent / ".istio-notebook-cache", ignore_errors=True)  # markdown/cache.py DEFAULT_DIR
    if args.kind == "plain":
        config = plain_config(config, args.builder)
    start = time.process_time()
    preimport(args.builder)
    base = time.process_time()
    counters = instrument()
    imported = time.process_time() - base
    collections = gc_counter()
    try:
        run(args.builder, config)
    finally:
        total = time.process_time() - start
        print(f"{args.builder} {args.kind}: CPU {total:.2f} s in this process (load average {os.getloadavg()[0]:.1f})")
        print(f"  {'import of istio_notebook (after the builder)':<52} {imported:6.2f} s")
        for label, counter in counters.items():
            print(f"  {label:<52} {counter.seconds:6.2f} s {counter.calls:6d} calls {counter.seconds / total:6.1%}")
        print(f"  {'cyclic GC collections (gc.callbacks)':<52} {collections.seconds:6.2f} s {collections.calls:6d} runs")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
