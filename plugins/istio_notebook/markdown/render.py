"""HTML for examples and checks: badges, Material content tabs, Mermaid diagrams, result tables.

Produces markup Material already styles: pymdownx.tabbed's alternate-style tab sets (as plain
radio tabs, see ``tabs``) and ``<pre class="mermaid">`` blocks (what superfences' Mermaid fence
emits), so no extra JavaScript is needed to read them. Each widget carries a size hint so that
the browser can skip it until it is near the screen (istio-notebook.css).
"""

from __future__ import annotations

import json
import re
from html import escape

from istio_notebook.diagnostics import Diagnostic
from istio_notebook.diagnostics.catalogue import CATALOGUE
from istio_notebook.examples.model import CheckBlock, CheckResult, ExampleResult

BADGES = {
    "verified": ("検証済み", "スキーマとアナライザーで検証しました"),
    "error": ("エラー", "この例には問題があります"),
    "expected-error": ("想定どおりのエラー", "わざと間違えた例です。宣言したコードが出ることを確認しました"),
    "unchecked": ("未検証", "この例は検証していません"),
    "fragment": ("検証済み（部分）", "指定したフィールドのスキーマで検証しました"),
}


def badge(status: str, detail: str = "") -> str:
    text, title = BADGES[status]
    suffix = f'<span class="inb-badge__detail">{escape(detail)}</span>' if detail else ""
    return f'<span class="inb-badge inb-badge--{status}" title="{escape(title)}">{escape(text)}{suffix}</span>'


def tabs(prefix: str, panels: list[tuple[str, str]]) -> str:
    """A tab set in pymdownx.tabbed's alternate-style markup, which Material styles; ``prefix`` must
    be unique on the page.

    Plain radio tabs, without pymdownx's ``data-tabs``: that attribute is what Material's content
    tabs script mounts on, and on load it rewrote every set's labels and measured each one (a
    forced layout per set, 34 on the VirtualService page, benchmarks/page_weight.py). Our sets do
    not need it: the labels fit on a phone, the radio group gives the keyboard its arrow keys, and
    istio-notebook.css underlines the chosen tab.
    """
    if len(panels) == 1:
        return panels[0][1]
    inputs, labels, blocks = [], [], []
    for i, (title, body) in enumerate(panels, start=1):
        checked = ' checked="checked"' if i == 1 else ""
        inputs.append(f'<input{checked} id="{prefix}_{i}" name="{prefix}" type="radio" />')
        labels.append(f'<label for="{prefix}_{i}">{escape(title)}</label>')
        blocks.append(f'<div class="tabbed-block">\n{body}\n</div>')
    return (
        '<div class="tabbed-set tabbed-alternate inb-tabs">'
        + "".join(inputs)
        + '<div class="tabbed-labels">'
        + "".join(labels)
        + '</div>\n<div class="tabbed-content">\n'
        + "\n".join(blocks)
        + "\n</div>\n</div>"
    )


def mermaid(diagram: str) -> str:
    return f'<pre class="mermaid"><code>{escape(diagram, quote=False)}</code></pre>'


# The levels as the site's Japanese names them (docs/reference/diagnostics.md uses the same words).
LEVEL_WORDS = {"Error": "エラー", "Warning": "警告", "Info": "情報"}
DIAGNOSTICS_PAGE = "reference/diagnostics/"  # the generated code reference; each code is an anchor there


def diagnostics_list(diagnostics: list[Diagnostic], empty: str = "", root: str | None = None) -> str:
    """The diagnostics as a list: level in Japanese, the code (linked to its entry on the code
    reference page when ``root``, the way from this page to the site's root, is known), where,
    the message as istioctl words it, and the catalogue's Japanese fix hint when it has one."""
    if not diagnostics:
        return f'<p class="inb-diagnostics inb-diagnostics--empty">{escape(empty)}</p>'
    return f'<ul class="inb-diagnostics">{"".join(_diagnostic_item(d, root) for d in diagnostics)}</ul>'


def _diagnostic_item(d: Diagnostic, root: str | None) -> str:
    entry = CATALOGUE.get(d.code)
    code = escape(d.code)
    if root is not None and entry is not None:
        code = f'<a href="{escape(root)}{DIAGNOSTICS_PAGE}#{d.code.lower()}" title="{escape(entry.name)}">{code}</a>'
    hint = entry.hint("ja") if entry is not None else ""
    hint_html = f'<span class="inb-diagnostic__hint">直し方: {escape(hint)}</span>' if hint else ""
    level = d.level.value
    return (
        f'<li class="inb-diagnostic inb-diagnostic--{level.lower()}"><code>{code}</code> '
        f"<strong>{LEVEL_WORDS.get(level, escape(level))}</strong> "
        f'<span class="inb-diagnostic__where">{escape(str(d.position))}</span> {escape(d.message)}{hint_html}</li>'
    )


def offending_lines(result: ExampleResult) -> list[int]:
    """The example's own lines (1 = first line of its code) that its errors point at: the expected
    codes of a deliberately wrong example, the failures of a broken one."""
    example = result.example
    if result.status == "expected-error":
        pointed = [d for d in result.diagnostics if d.code in example.expect]
    elif result.status == "error":
        pointed = result.failures
    else:
        return []
    lines = {
        d.position.line - example.body_line + 1
        for d in pointed
        if d.position.file == example.file and example.body_line <= d.position.line <= example.end_line
    }
    return sorted(lines)


def envoy_panel(parts: list[tuple[str, str]]) -> str:
    """The "Envoy" tab: per resource, a caption (Markdown code spans allowed) and its highlighted excerpt.

    An empty caption means the excerpt could not be produced (the formatter logged why).
    """
    blocks = []
    for caption, code in parts:
        if not caption:
            blocks.append('<p class="inb-envoy__caption inb-envoy__caption--failed">この例の Envoy 設定の抜粋は生成できませんでした（ビルドのログを参照）。</p>')
            continue
        blocks.append(f'<p class="inb-envoy__caption">{code_spans(caption)}</p>' + (f"\n{code}" if code else ""))
    # Not indexed by search: generated Envoy YAML would drown the Japanese text in the results.
    return '<div class="inb-envoy" data-search-exclude>\n' + "\n".join(blocks) + "\n</div>"


def plain_code_block(text: str) -> str:
    """A code block styled like pymdownx.highlight's, without token spans or line anchors.

    Plain on purpose: the search plugin parses every page's HTML, and a span per YAML token in
    every Envoy excerpt made warm builds about a third slower (benchmarks/build.py); no anchors,
    so the page's other code blocks keep their ids.
    """
    return f'<div class="highlight"><pre><span></span><code>{escape(text, quote=False)}</code></pre></div>'


def parallel_block(text: str, defaults: str, pairs) -> str:
    """The Envoy lines an example's fields produced, linked to the YAML lines by ``pairs``
    (markdown/parallel.py LinePair, as ``data-inb-pairs`` for docs/assets/javascripts/parallel.js,
    which builds the side-by-side view when the tab is first opened), then Istio's defaults folded away."""
    data = json.dumps([[p.yaml[0], p.yaml[1], list(p.envoy)] for p in pairs], separators=(",", ":"))
    out = f'<div class="inb-envoy__map" data-inb-pairs="{escape(data)}">\n{plain_code_block(text)}\n</div>' if text else ""
    if defaults:
        count = defaults.count("\n")
        out += (f'\n<details class="inb-envoy__defaults"><summary>Istio の既定値（{count} 行）</summary>\n'
                '<p class="inb-envoy__note">この例のどのフィールドからでもなく、Istio が自分で書く値です。</p>\n'
                f"{plain_code_block(defaults)}\n</details>")
    return out


def code_spans(text: str) -> str:
    """Escape ``text``, turning its `backquoted` parts into <code> (captions name Envoy objects that way)."""
    pieces = escape(text).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(pieces))


def example_html(result: ExampleResult, code: str, diagrams: list[str], prefix: str, envoy: str = "", root: str | None = None) -> str:
    """A YAML example: badge, then tabs YAML | 図 | Envoy | 診断 (``envoy``: the Envoy panel's HTML, if any).

    The 診断 tab only when there is something to say (the badge says "検証済み" otherwise). A
    deliberately wrong or broken example says so above its code and is not offered for copying
    (Material's copy button skips ``.no-copy``).
    """
    example = result.example
    status = result.status
    if status == "verified" and example.mode == "fragment":
        status = "fragment"
    detail = ""
    if status == "unchecked":
        detail = example.reason
    elif status == "expected-error":
        detail = ", ".join(example.expect)
    elif status == "error" and result.failures:
        first = result.failures[0]
        detail = f"{first.code} {first.message}"
    head = f'<p class="inb-badges">{badge(status, detail)}</p>'
    if status == "unchecked":
        return f'<div class="inb-example inb-example--unchecked">\n{head}\n{code}\n</div>'
    wrong = status in ("expected-error", "error")
    if wrong:
        head += "\n" + WRONG_NOTES[status]
    panels = [("YAML", code)]
    if diagrams:
        panels.append(("図", "\n".join(mermaid(d) for d in diagrams)))
    if envoy:
        panels.append(("Envoy", envoy))
    shown = result.diagnostics if status != "error" else _unique(result.failures + result.diagnostics)
    if shown:
        panels.append(("診断", diagnostics_list(shown, root=root)))
    css = f"inb-example inb-example--{status}" + (" no-copy" if wrong else "")
    lines = example.body.count("\n")
    return f'<div class="{css}" style="{_size_hint("lines", lines)}">\n{head}\n{tabs(prefix, panels)}\n</div>'


def _size_hint(name: str, count: int) -> str:
    """An inline ``--inb-<name>: <count>`` the stylesheet turns into the height a widget is given
    before it is first drawn: widgets off screen are not styled or laid out until they come near
    the viewport (``content-visibility: auto`` in istio-notebook.css), and a close estimate keeps
    the scroll bar and the jumps to an anchor steady."""
    return f"--inb-{name}: {count}"


# A whitespace token's span: Pygments wraps runs of spaces in <span class="w">, which no style
# colours. Without them the VirtualService page has 900 fewer elements for the browser to style.
_WHITESPACE_SPAN = re.compile(r'<span class="w">([ \t]*)</span>')


def without_whitespace_spans(code: str) -> str:
    """Highlighted code with its whitespace tokens as plain text (same rendering, fewer elements)."""
    return _WHITESPACE_SPAN.sub(r"\1", code)


WRONG_NOTES = {
    "expected-error": '<p class="inb-wrong-note">わざと間違えた例です。印を付けた行が、診断タブのコードの原因です。このままでは使わないでください。</p>',
    "error": '<p class="inb-wrong-note">この例には問題があります。印を付けた行と診断タブを確認してください。</p>',
}


def _unique(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    seen, found = set(), []
    for d in diagnostics:
        key = (d.code, d.position, d.message)
        if key not in seen:
            seen.add(key)
            found.append(d)
    return found


def _context(result: CheckResult) -> str:
    context = result.check.context
    words = []
    if context.via:
        words.append(f"ゲートウェイ {context.via} 経由")
    elif context.from_:
        words.append(f"{context.from_} から")
    if context.to:
        words.append(f"宛先ワークロード {context.to}")
    for label, value in (("principal", context.source_principal), ("namespace", context.source_namespace), ("ip", context.source_ip)):
        if value:
            words.append(f"source {label} {value}")
    if context.mtls is not None:
        words.append("mTLS " + ("on" if context.mtls else "off"))
    words.extend(f"claim {k}={v}" for k, v in context.claims.items())
    return "、".join(words)


def check_row(result: CheckResult, show_context: bool = True) -> str:
    """One check as a table row (a card on a phone); ``show_context``: False when the table says it once."""
    check = result.check
    request = [f"<code>{escape(str(check.request))}</code>" if check.request else ""]
    if check.title:
        request.insert(0, f"<strong>{escape(check.title)}</strong>")
    context = _context(result) if show_context else ""
    if context:
        request.append(f'<small class="inb-check__context">{escape(context)}</small>')
    expected = "<br>".join(f"→ {escape(e.text)}" for e in check.expectations)
    # What the reader compares: the expectation only where it says something the result does not.
    same = result.passed and bool(result.actual) and all(result.actual.get(e.line, "") == e.text for e in check.expectations)
    if same:
        expected = '<span class="inb-check__same">結果と同じ</span>'
    if result.actual:
        actual = "<br>".join(escape(result.actual.get(e.line, "")) for e in check.expectations)
    else:
        actual = "<br>".join(escape(d) for d in result.differences)
    if result.sentence:  # the outcome in words first, what the clauses compared below it
        actual = f'<span class="inb-check__sentence">{escape(result.sentence)}</span><span class="inb-check__clauses">{actual}</span>'
    mark = '<span class="inb-mark inb-mark--pass" title="成立">✔</span>' if result.passed else '<span class="inb-mark inb-mark--fail" title="不成立">✘</span>'
    css = ("inb-check--pass" if result.passed else "inb-check--fail") + (" inb-check--same" if same else "")
    return f'<tr class="{css}" id="inb-check-{check.line}"><td>{"<br>".join(request)}</td><td>{expected}</td><td>{actual}</td><td>{mark}</td></tr>'


def check_block_html(
    block: CheckBlock, results: list[CheckResult], source: str, prefix: str, problems: list[Diagnostic], root: str | None = None
) -> str:
    passed = sum(r.passed for r in results)
    failed = len(results) - passed
    status = "verified" if not failed and not problems else "error"
    label = f"チェック {passed}/{len(results)} 成立"
    head = f'<p class="inb-badges"><span class="inb-badge inb-badge--{status}" title="ルーティングシミュレーターで確認しました">{escape(label)}</span></p>'
    # Where every request comes from the same client (or goes to the same workload), say it once.
    contexts = {_context(r) for r in results}
    shared = contexts.pop() if len(results) > 1 and len(contexts) == 1 else ""
    rows = "\n".join(check_row(r, show_context=not shared) for r in results)
    said = f'<p class="inb-check__context inb-check__shared">どのリクエストも: {escape(shared)}</p>\n' if shared else ""
    # A table without a class attribute: Material styles only `table:not([class])`.
    table = (
        f'<div class="inb-check-table">\n{said}<table>\n<thead><tr><th>リクエスト</th><th>期待</th><th>結果</th><th></th></tr></thead>\n'
        f"<tbody>\n{rows}\n</tbody>\n</table>\n</div>"
    )
    panels = [("結果", table), ("チェック", source)]
    failures = problems + [d for r in results for d in r.diagnostics]
    if failures:
        panels.append(("診断", diagnostics_list(failures, root=root)))
    return f'<div class="inb-checks inb-checks--{status}" style="{_size_hint("rows", len(results))}">\n{head}\n{tabs(prefix, panels)}\n</div>'


def problems_html(problems: list[Diagnostic]) -> str:
    """Page-level problems (front matter, fixtures), shown at the top of the page in serve mode."""
    return f'<div class="admonition failure inb-page-problems"><p class="admonition-title">このページの例に問題があります</p>\n{diagnostics_list(problems)}\n</div>'
