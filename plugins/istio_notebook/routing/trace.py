"""The decision steps of a simulation, in English or Japanese.

Each step is a key of STEPS with (English, Japanese) templates; callers never write trace
text inline, so both languages always say the same thing.
"""

from __future__ import annotations

import os

STEPS: dict[str, tuple[str, str]] = {
    "proxy": ("as {proxy}", "{proxy} として評価"),
    "listener": ("listener port {port}: route config {config}", "リスナーポート {port}: ルート設定 {config}"),
    "no_listener_gateway": ("the gateway has no HTTP server on port {port}: connection refused",
                            "ゲートウェイにポート {port} の HTTP サーバーがない: 接続拒否"),
    "no_listener_sidecar": ("no HTTP service on port {port}: the request leaves through the catch-all ({fallback})",
                            "ポート {port} の HTTP サービスがない: キャッチオールで処理 ({fallback})"),
    "tls_from_app": ("https from the application: the sidecar sees only TLS and forwards by SNI {host}, no HTTP routing",
                     "アプリケーション自身の https: サイドカーは TLS しか見えず SNI {host} で転送(HTTP ルーティングなし)"),
    "tcp_port": ("port {port} of {host} is not HTTP: TCP proxy to {cluster}, no HTTP routing",
                 "{host} のポート {port} は HTTP ではない: TCP プロキシで {cluster} へ(HTTP ルーティングなし)"),
    "sni": ("TLS server chosen by SNI {host}: {server}", "SNI {host} で TLS サーバーを選択: {server}"),
    "vhost": ("Host {authority} → virtual host {vhost}", "Host {authority} → 仮想ホスト {vhost}"),
    "no_vhost": ("no virtual host for Host {authority}: 404 (Envoy NR)",
                 "Host {authority} に対応する仮想ホストがない: 404 (Envoy NR)"),
    "passthrough": ("{host} is not in the service registry; outbound policy ALLOW_ANY: passthrough to the original destination",
                    "{host} はサービスレジストリにない; ALLOW_ANY なので元の宛先へパススルー"),
    "blackhole": ("{host} is not in the service registry; outbound policy REGISTRY_ONLY: blackhole ({status})",
                  "{host} はサービスレジストリにない; REGISTRY_ONLY なのでブラックホール ({status})"),
    "https_redirect": ("server has tls.httpsRedirect: 301 to https", "サーバーに tls.httpsRedirect: https へ 301"),
    "skipped_route": ("route {index} ({origin}) does not match: {why}", "ルート {index} ({origin}) は一致しない: {why}"),
    "matched_route": ("route {index} matches: {origin}", "ルート {index} が一致: {origin}"),
    "default_route": ("no VirtualService for this host: default route to {cluster}",
                      "このホストの VirtualService はない: デフォルトルートで {cluster} へ"),
    "no_route": ("no route of {vhost} matches: 404 (Envoy NR)", "{vhost} のどのルートにも一致しない: 404 (Envoy NR)"),
    "redirect": ("redirect {status} to {location}", "{location} へリダイレクト ({status})"),
    "direct": ("direct response {status}", "ダイレクトレスポンス {status}"),
    "destination": ("destination {cluster} ({share}%)", "宛先 {cluster} ({share}%)"),
    "missing_cluster": ("cluster {cluster} does not exist (no such service, port or subset): 503 (Envoy NC)",
                        "クラスタ {cluster} が存在しない(サービス・ポート・サブセットなし): 503 (Envoy NC)"),
    "no_endpoints": ("cluster {cluster} selects no known workload: at run time 503 (no healthy upstream)",
                     "クラスタ {cluster} に該当するワークロードがない: 実行時は 503 (no healthy upstream)"),
    "abort": ("fault abort {status} for {percentage}% of requests", "フォールト abort {status} ({percentage}% のリクエスト)"),
    "delay": ("fault delay {delay} for {percentage}% of requests", "フォールト delay {delay} ({percentage}% のリクエスト)"),
    "rewrite": ("rewritten to {uri} (authority {authority})", "{uri} に書き換え (authority {authority})"),
    "policy": ("traffic policy from {rules} ({scope})", "トラフィックポリシー: {rules} ({scope})"),
    "no_policy": ("no DestinationRule applies to {host}", "{host} に適用される DestinationRule はない"),
    "note": ("build: {note}", "構築時: {note}"),
}


def default_lang() -> str:
    """`ja` when the locale (LC_ALL, LC_MESSAGES, LANG) is Japanese, else `en`."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    return "en"


class Trace:
    """Collects steps from a table of (English, Japanese) templates (this module's STEPS by default)."""

    def __init__(self, lang: str | None = None, steps: dict[str, tuple[str, str]] | None = None):
        self.lang = lang if lang in ("en", "ja") else default_lang()
        self.steps = steps if steps is not None else STEPS
        self.lines: list[str] = []

    def add(self, key: str, **args: object) -> None:
        en, ja = self.steps[key]
        self.lines.append((ja if self.lang == "ja" else en).format(**args))
