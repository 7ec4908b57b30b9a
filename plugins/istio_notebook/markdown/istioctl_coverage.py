"""The coverage table of istioctl's codes, for the diagnostics reference page."""

from __future__ import annotations

from collections import Counter

from istio_notebook.diagnostics.coverage import ISTIOCTL_CODES, ISTIOCTL_VERSION, Status

_STATUS = {
    Status.IMPLEMENTED: "実装済み",
    Status.OFFLINE: "対象外（理由を参照）",
    Status.PENDING: "未実装（ファイルで判定できる）",
}


def _detail(modules: tuple[str, ...], reason: str, note: str = "") -> str:
    if modules:
        names = "<br>".join(f"`istio_notebook.{m}`" for m in modules)
        return names + ("<br>" + note.replace("|", "\\|") if note else "")
    return reason.replace("|", "\\|")


def coverage_table() -> str:
    """One row per code of the pinned istioctl messages.yaml, with its status here."""
    counts = Counter(c.status for c in ISTIOCTL_CODES)
    out = [
        f"## istioctl {ISTIOCTL_VERSION} のコードの対応状況\n",
        f"istioctl の `pkg/config/analysis/msg/messages.yaml` にある {len(ISTIOCTL_CODES)} 個のコードのうち、"
        f"実装済み {counts[Status.IMPLEMENTED]}、対象外（ファイルでは判定できない、または istioctl も既定では出さない） {counts[Status.OFFLINE]}、"
        f"未実装 {counts[Status.PENDING]} です（`plugins/istio_notebook/diagnostics/istioctl_codes.yaml`）。"
        "理由とモジュールは英語のままです。\n",
        "| コード | 名前 | レベル | 状態 | モジュール / 理由 |",
        "|---|---|---|---|---|",
    ]
    for c in ISTIOCTL_CODES:
        code = f"[{c.code}](#{c.code.lower()})" if c.status is Status.IMPLEMENTED else c.code
        # Modules and reasons (English, for contributors) stay out of the search index every page loads.
        detail = f'<span lang="en" data-search-exclude>{_detail(c.modules, c.reason, c.note)}</span>'
        out.append(f"| {code} | {c.name} | {c.level} | {_STATUS[c.status]} | {detail} |")
    out.append("")
    return "\n".join(out)
