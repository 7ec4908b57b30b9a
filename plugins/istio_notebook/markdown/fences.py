"""pymdownx.superfences custom fences ``yaml`` and ``check``: validator and formatters.

Rendering happens here; which result belongs to a fence is told by the ``inb_item`` option the
extension's page step adds to the fence line, and the page's results are the Markdown
instance's own (``state.current(md)``). The example's code stays in the page content, the HTML
around it (badge, tabs, panels) is kept aside and attached after search indexing (``panels``).
Without a current page the fence renders as plain highlighted code. Never raises: a rendering
failure is logged and the plain code is shown.
"""

from __future__ import annotations

import logging

from pymdownx.superfences import highlight_validator

from istio_notebook.examples.model import CheckBlock, YamlExample
from istio_notebook.markdown import panels, render, state
from istio_notebook.markdown.checker import ITEM_OPTION

log = logging.getLogger("mkdocs.plugins.istio_notebook")

# Options that belong to the example syntax; everything else (title, hl_lines, linenums) goes to highlighting.
OWN_OPTIONS = {"scenario", "expect", "fragment", "unchecked", "from", "via", "to", ITEM_OPTION}


def validate(language: str, inputs: dict, options: dict, attrs: dict, md) -> bool:
    ours = {k: v for k, v in inputs.items() if k in OWN_OPTIONS}
    rest = {k: v for k, v in inputs.items() if k not in OWN_OPTIONS}
    highlight_validator(language, rest, options, attrs, md)
    options["inb"] = ours
    return True


def _highlight(source: str, language: str, options: dict, md, kwargs: dict) -> str:
    preprocessor = md.preprocessors["fenced_code_block"]
    return preprocessor.highlight(
        src=source,
        language=language,
        options={k: v for k, v in options.items() if k != "inb"},
        md=md,
        classes=list(kwargs.get("classes") or []),
        id_value=kwargs.get("id_value", ""),
        attrs=dict(kwargs.get("attrs") or {}),
    )


def _item(options: dict, md):
    page = state.current(md)
    index = (options.get("inb") or {}).get(ITEM_OPTION)
    if page is None or index is None:
        return None, None
    items = page.prepared.report.page.items
    i = int(index)
    return page, items[i] if 0 <= i < len(items) else None


def format_yaml(source: str, language: str, class_name: str, options: dict, md, **kwargs) -> str:
    try:
        page, item = _item(options, md)
        result = page.prepared.report.examples.get(item.line) if page is not None and isinstance(item, YamlExample) else None
    except Exception as error:  # noqa: BLE001 - a rendering bug must not stop the build with a traceback
        log.warning("%s: cannot render a YAML example: %s: %s", _where(md), type(error).__name__, error)
        page = result = None
    if result is None:
        return _highlight(source, language, options, md, kwargs)
    # Highlighted once (pymdownx numbers the code blocks of a page as it highlights them), with the
    # lines the example's errors point at marked; an author's own hl_lines win.
    marked = render.offending_lines(result)
    if marked and "hl_lines" not in options:
        options = {**options, "hl_lines": " ".join(map(str, marked))}
    code = render.without_whitespace_spans(_highlight(source, language, options, md, kwargs))
    try:
        page.counter += 1
        envoy = _envoy_panel(page.prepared.envoy.get(item.line, []))
        diagrams = page.prepared.diagrams.get(item.line, [])
        html = render.example_html(result, code, diagrams, f"__inb_{page.counter}", envoy, page.site_root)
        return panels.defer(page.panels, html, code)
    except Exception as error:  # noqa: BLE001
        log.warning("%s: cannot render a YAML example: %s: %s", _where(md), type(error).__name__, error)
        return code


def _envoy_panel(excerpts: list) -> str:
    """The Envoy tab from the excerpts computed at check time (envoy_tab.page_excerpts).

    An excerpt that failed is reported with the page's failures (checker.PreparedPage.failures).
    """
    if not excerpts:
        return ""
    parts = []
    for e in excerpts:
        if e.error:
            parts.append(("", ""))
        elif e.pairs or e.defaults:
            parts.append((e.caption, render.parallel_block(e.text, e.defaults, e.pairs)))
        else:
            parts.append((e.caption, render.plain_code_block(e.text) if e.text else ""))
    return render.envoy_panel(parts)


def format_check(source: str, language: str, class_name: str, options: dict, md, **kwargs) -> str:
    code = _highlight(source, "text", options, md, kwargs)
    try:
        page, item = _item(options, md)
        if page is None or not isinstance(item, CheckBlock):
            return code
        checks = page.prepared.report.checks
        results = [checks[c.line] for c in item.checks if c.line in checks]
        page.counter += 1
        html = render.check_block_html(item, results, code, f"__inb_{page.counter}", list(item.problems), page.site_root)
        return panels.defer(page.panels, html, code)
    except Exception as error:  # noqa: BLE001
        log.warning("%s: cannot render a check block: %s: %s", _where(md), type(error).__name__, error)
        return code


def _where(md) -> str:
    page = state.current(md)
    return page.display if page is not None else "(page)"
