"""Generated pages: the diagnostics reference, the check syntax reference, the route coverage report.

Each page in ``docs/`` holds a marker line (``<!-- istio-notebook:NAME -->``) replaced with fresh
Markdown on every build, so the pages cannot go stale: the references by the extension on any
page that holds their marker (``fill_static``), the coverage report by the MkDocs plugin (it
needs every page's results).
"""

from __future__ import annotations

from itertools import groupby

from istio_notebook.diagnostics.catalogue import CATALOGUE, Message
from istio_notebook.examples.coverage import Coverage
from istio_notebook.examples.expectations import CLAUSES
from istio_notebook.markdown.istioctl_coverage import coverage_table

MARKER = "<!-- istio-notebook:{name} -->"


def fill_static(markdown: str) -> str:
    """``markdown`` with the markers of the generated references replaced (nothing else changes)."""
    if "<!-- istio-notebook:" not in markdown:
        return markdown
    for name, generate in (("diagnostics", diagnostics_reference), ("check-syntax", check_syntax_reference)):
        marker = MARKER.format(name=name)
        if marker in markdown:
            markdown = markdown.replace(marker, generate())
    return markdown


# Where no builder plugin gathers every page's results (Zensical), the report says where to find it.
COVERAGE_ELSEWHERE = (
    '!!! note "ルートカバレッジ"\n'
    "    この集計はサイト全体の結果から作るため、MkDocs でビルドしたとき（`./dev build`）だけ生成されます。"
    "CI では `pytest` が同じ最低ラインを確認します（docs/contributing/builders.md）。\n"
)


def note_coverage_elsewhere(markdown: str) -> str:
    return markdown.replace(MARKER.format(name="coverage"), COVERAGE_ELSEWHERE)


_RANGES = (
    ("IST", "istioctl と同じコード（同じ意味・同じ名前）"),
    ("INB1", "INB1xxx: 入力と YAML の読み込み"),
    ("INB2", "INB2xxx: 追加のアナライザー"),
    ("INB3", "INB3xxx: 例とチェックの構文"),
    ("INB4", "INB4xxx: ラボ"),
    ("INB5", "INB5xxx: Envoy での再生"),
)
_LEVELS = {"Error": "エラー", "Warning": "警告", "Info": "情報"}


def _cell(text: str) -> str:
    # Python-Markdown tables do not split cells at a pipe inside a code span; outside one, escape it.
    parts = text.replace("\n", " ").split("`")
    return "`".join(p if i % 2 else p.replace("|", "\\|") for i, p in enumerate(parts))


def _range(code: str) -> str:
    return next(prefix for prefix, _ in _RANGES if code.startswith(prefix)) if any(code.startswith(p) for p, _ in _RANGES) else "other"


def diagnostics_reference() -> str:
    """Every code of the catalogue, grouped by range, in code order."""
    out = []
    titles = dict(_RANGES)
    messages = sorted(CATALOGUE.values(), key=lambda m: m.code)
    for prefix, group in groupby(messages, key=lambda m: _range(m.code)):
        out.append(f"## {titles.get(prefix, 'その他')}\n")
        out.append("| コード | 名前 | レベル | 説明 | メッセージ |")
        out.append("|---|---|---|---|---|")
        for m in group:
            source = "（istioctl）" if m.source == "istioctl" else ""
            out.append(
                f'| <span id="{m.code.lower()}"></span>`{m.code}` | {m.name}{source} | {_LEVELS.get(m.level.value, m.level.value)} '
                f'| {_cell(m.description)}{_hint(m)} | <span lang="en" data-search-exclude>`{_cell(m.template)}`</span> |'
            )
        out.append("")
    out.append(coverage_table())
    return "\n".join(out)


def _hint(m: Message) -> str:
    if not m.hints:
        return ""
    # The English hint and message are not indexed: every page loads the search index (issue 18's
    # page weight), and the Japanese hint above says the same (benchmarks/page_weight.py).
    return f"<br>**直し方**: {_literal(m.hint('ja'))}<br><span lang=\"en\" data-search-exclude>*Fix*: {_literal(m.hint('en'))}</span>"


# A hint is plain text: placeholders such as <revision> and YAML such as *.example.com or
# [{group: ...}] must reach the reader as written, not as HTML tags, emphasis or table cells.
_LITERAL = {c: f"&#{ord(c)};" for c in "&<>*_`[]|\\"}


def _literal(text: str) -> str:
    """``text`` for a Markdown table cell, shown character for character."""
    return "".join(_LITERAL.get(c, c) for c in text.replace("\n", " "))


_CONTEXT = (
    ("`@from NS[/k=v,...]`", "クライアントのサイドカー（フェンスの `from=`）"),
    ("`@via NS/GATEWAY`", "入口のゲートウェイ（フェンスの `via=`）"),
    ("`@to NS/k=v,...`", "認可の対象ワークロード（フェンスの `to=`）"),
    ("`@source-principal P`", "送信元のプリンシパル"),
    ("`@source-namespace NS`", "送信元の名前空間"),
    ("`@source-ip IP`", "送信元の IP アドレス"),
    ("`@claim key=value`", "JWT のクレーム（複数行可）"),
    ("`@mtls on|off`", "送信元が mTLS で接続しているか"),
)


_YAML_OPTIONS = (
    ("（なし）", "ページのデフォルトシナリオに加わり、フィクスチャと一緒にスキーマとアナライザーで検証"),
    ('`scenario="名前"`', "名前付きシナリオに加わる"),
    ('`expect="IST0101,..."`', "わざと間違えた例。ちょうどこれらのコード（Error/Warning）が出ることを確認する。`scenario` と併用するとそのシナリオを文脈にする"),
    ('`fragment="Kind:field.path"`', "部分的なスニペットを、その種類のそのフィールドのスキーマで検証（`[]` はリストの要素 1 つ）"),
    ('`unchecked="理由"`', "検証しない。理由をページに表示"),
)
_CHECK_OPTIONS = (
    ('`scenario="名前"`', "どのシナリオの設定で確認するか"),
    ('`from="NS[/k=v,...]"`', "サイドカーのクライアント（既定は default 名前空間、ラベルなし）"),
    ('`via="NS/GATEWAY"`', "その Gateway が選択するゲートウェイのワークロードとして受ける"),
    ('`to="NS/k=v,..."`', "認可の対象ワークロード（→ ALLOW / → DENY に必要）"),
)


def _table(header: str, rows: tuple[tuple[str, str], ...]) -> list[str]:
    return [f"| {header} | 意味 |", "|---|---|"] + [f"| {a} | {b} |" for a, b in rows]


def check_syntax_reference() -> str:
    """The check syntax, from the clause registry itself (so it lists exactly what the parser accepts)."""
    out = ["## ```` ```yaml ```` フェンスのオプション\n", *_table("オプション", _YAML_OPTIONS), ""]
    out += ["## ```` ```check ```` フェンスのオプション\n", *_table("オプション", _CHECK_OPTIONS), ""]
    out += ["## 期待する結果（→ または =>）\n", "| 書き方 | 意味 |", "|---|---|"]
    for clause in CLAUSES:
        syntax = " / ".join(f"`{s.strip()}`" for s in clause.syntax.split(" / "))
        out.append(f"| {syntax} | {_cell(clause.meaning)} |")
    out += ["", "## コンテキスト行\n", *_table("行", _CONTEXT)]
    out += [
        "",
        "## リクエスト行\n",
        "`curl [-X METHOD] [-H 'Name: value']... [--data ...] URL`（メソッドは既定で GET、`--data` があれば POST）。"
        "`-s` `-i` `-v` `-k` `-L` などの表示用オプションは無視されます。",
        "",
        "TCP の接続は `nc [-v] [-z] [-w 秒] HOST PORT`（`tcp://HOST:PORT`）、TLS の接続は "
        "`openssl s_client -connect HOST:PORT [-servername NAME]`（`tls://HOST:PORT`。SNI は `-servername`、なければ HOST。IP アドレスの HOST には `-servername` が必須）。",
        "",
    ]
    return "\n".join(out)


def coverage_report(pages: dict[str, Coverage], minimum: float) -> str:
    """Overall and per-page coverage, and every match block no check exercises."""
    total = Coverage.total(pages.values())
    covered = len(total.covered & set(total.units))
    out = [
        f"全体: **{total.percent:.1f}%**（{covered}/{len(total.units)} の match ブロック）。最低ライン: {minimum:g}%。\n",
        "| ページ | カバー率 | match ブロック | 未チェック |",
        "|---|---|---|---|",
    ]
    for page, coverage in sorted(pages.items()):
        if not coverage.units:
            continue
        hits = len(coverage.covered & set(coverage.units))
        out.append(f"| `{page}` | {coverage.percent:.0f}% | {hits}/{len(coverage.units)} | {len(coverage.uncovered)} |")
    uncovered = total.uncovered
    out += ["", "## どのチェックも通らないルール\n"]
    if not uncovered:
        out.append("すべての match ブロックが、少なくとも 1 つのチェックで確認されています。")
    else:
        out += ["| 場所 | VirtualService | ルール |", "|---|---|---|"]
        out += [f"| `{u.file}:{u.line}` | `{u.virtual_service}` | {u.what} |" for u in uncovered]
    return "\n".join(out) + "\n"
