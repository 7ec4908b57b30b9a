"""The decision steps of a simulation, in English or Japanese.

Each step is a key of STEPS with (English, Japanese) templates; callers never write trace
text inline, so both languages always say the same thing.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from string import Formatter

STEPS: dict[str, tuple[str, str]] = {
    "proxy": ("as {proxy}", "{proxy} として評価"),
    "listener": ("listener port {port}: route config {config}", "リスナーポート {port}: ルート設定 {config}"),
    "no_listener_gateway": ("the gateway has no HTTP server on port {port}: connection refused",
                            "ゲートウェイにポート {port} の HTTP サーバーがない: 接続拒否"),
    "no_listener_sidecar": ("no HTTP service on port {port}: the request leaves through the catch-all ({fallback})",
                            "ポート {port} の HTTP サービスがない: catch-all で処理 ({fallback})"),
    "tls_from_app": ("https from the application: the sidecar sees only TLS and forwards by SNI {host}, no HTTP routing",
                     "アプリケーション自身の https: サイドカーは TLS しか見えず SNI {host} で転送(HTTP ルーティングなし)"),
    "not_imported": ("{host} declares this port but the proxy's Sidecar egress hosts do not import it: no listener for it",
                     "{host} はこのポートを宣言しているが、Sidecar の egress hosts が取り込んでいない: リスナーがない"),
    "l4_request": ("{scheme} connection to {host}:{port} (SNI {sni})", "{host}:{port} への {scheme} 接続 (SNI {sni})"),
    "l4_skipped": ("{origin} does not apply: {why}", "{origin} は適用されない: {why}"),
    "l4_rule": ("{origin} takes the connection", "{origin} がこの接続を扱う"),
    "l4_default": ("no tcp/tls rule applies: the service's own cluster {cluster}",
                   "tcp/tls のルールが適用されない: サービス自身のクラスター {cluster} へ"),
    "l4_listener": ("{host} port {port}: a {kind} filter chain (tcp/tls rules; http rules do not apply)",
                    "{host} のポート {port}: {kind} のフィルターチェーン(tcp/tls のルール。http のルールは使われない)"),
    "l4_on_http": ("{host} port {port} is HTTP to Istio: the HTTP connection manager cannot parse a raw TCP/TLS stream "
                   "(the connection fails)",
                   "{host} のポート {port} は Istio にとって HTTP: HTTP の接続マネージャーは生の TCP/TLS を解釈できない(接続は失敗する)"),
    "l4_shared_sni": ("0.0.0.0 listener shared by the port's TLS services: SNI {sni} takes the chain of {host}",
                      "ポートの TLS サービスが共有する 0.0.0.0 のリスナー: SNI {sni} は {host} のチェーンに入る"),
    "l4_no_sni": ("no tls rule takes SNI {sni}: no filter chain for it", "SNI {sni} を扱う tls のルールがない: フィルターチェーンがない"),
    "l4_wildcard": ("no service has this address: {host} (TCP, no VIP) listens on 0.0.0.0_{port} and takes every address on the port",
                    "この宛先のアドレスを持つサービスはない: {host}(TCP、VIP なし)が 0.0.0.0_{port} で待ち受け、このポートのどのアドレスも受ける"),
    "l4_unknown": ("no listener for {host}:{port} (not in the registry, or not imported)",
                   "{host}:{port} のリスナーがない(レジストリにない、または取り込まれていない)"),
    "l4_passthrough": ("outbound policy ALLOW_ANY: PassthroughCluster to the original destination",
                       "ALLOW_ANY: PassthroughCluster で元の宛先へ"),
    "l4_blackhole": ("outbound policy REGISTRY_ONLY (or no filter chain): BlackHoleCluster, the connection is closed",
                     "REGISTRY_ONLY(またはフィルターチェーンなし): BlackHoleCluster、接続は閉じられる"),
    "l4_no_alpn": ("the AUTO_PASSTHROUGH chain for SNI {sni} also requires one of Istio's mTLS ALPNs (istio, istio-peer-exchange, ...); "
                   "the client offers {alpn}: no filter chain takes the connection",
                   "SNI {sni} の AUTO_PASSTHROUGH のチェーンは Istio の mTLS の ALPN（istio、istio-peer-exchange など）も条件にする。"
                   "クライアントが示すのは {alpn}: 接続を受けるフィルターチェーンがない"),
    "l4_server": ("gateway server {server} ({kind})", "ゲートウェイのサーバー {server} ({kind})"),
    "l4_no_server": ("the gateway has no TCP/TLS server for port {port} and SNI {sni}: connection refused",
                     "ゲートウェイにポート {port}・SNI {sni} の TCP/TLS サーバーがない: 接続拒否"),
    "l4_no_rule": ("no {kind} rule of a VirtualService bound to this gateway applies: no filter chain takes the connection, it is closed",
                   "このゲートウェイに結び付いた VirtualService の {kind} ルールが適用されない: 接続を受けるフィルターチェーンがなく、接続は閉じられる"),
    "l4_missing_cluster": ("cluster {cluster} does not exist (no such service, port or subset): the connection is closed",
                           "クラスター {cluster} が存在しない(サービス・ポート・サブセットなし): 接続は閉じられる"),
    "l4_no_endpoints": ("cluster {cluster} selects no known workload: the connection is closed (Envoy UH, no healthy upstream)",
                        "クラスター {cluster} に該当するワークロードがない: 接続は閉じられる(Envoy UH)"),
    "r_subnets": ("destination {address} is not in destinationSubnets {subnets}", "宛先 {address} は destinationSubnets {subnets} にない"),
    "r_sni": ("SNI {sni} is not in sniHosts {hosts}", "SNI {sni} は sniHosts {hosts} にない"),
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
    "codec_char": ("{where} has {char}: Envoy's HTTP connection manager answers {status} itself ({details}), no route is looked at",
                   "{where} に {char}: Envoy の HTTP 接続マネージャーが自ら {status} を返す ({details})。ルートは見ない"),
    "codec_method": ("method {method} is not one Envoy's HTTP/1.1 codec knows: {status} ({details}), no route is looked at",
                     "メソッド {method} は Envoy の HTTP/1.1 コーデックが知らない: {status} ({details})。ルートは見ない"),
    "codec_size": ("request line and headers are {size} bytes, over Envoy's {limit} (max_request_headers_kb 60): {status} ({details})",
                   "リクエスト行とヘッダーが {size} バイトで Envoy の上限 {limit}（max_request_headers_kb 60）を超える: {status} ({details})"),
    "codec_name": ("header name {name!r} is not an HTTP token: {status} ({details}), no route is looked at",
                   "ヘッダー名 {name!r} は HTTP のトークンではない: {status} ({details})。ルートは見ない"),
    "codec_count": ("{count} headers (Host included), over Envoy's {limit} (max_headers_count): {status} ({details})",
                    "ヘッダーが {count} 個（Host を含む）で Envoy の上限 {limit}（max_headers_count）を超える: {status} ({details})"),
    "codec_connect": ("CONNECT wants host:port as its target and route sends a path: {status} ({details})",
                      "CONNECT の対象は host:port で、route はパスを送る: {status} ({details})"),
    "codec_query": ("a QUERY request without content-type: {status} ({details})",
                    "content-type のない QUERY リクエスト: {status} ({details})"),
    "https_redirect": ("server has tls.httpsRedirect: 301 to https", "サーバーに tls.httpsRedirect: https へ 301"),
    "skipped_route": ("route {index} ({origin}) does not match: {why}", "ルート {index} ({origin}) は一致しない: {why}"),
    "matched_route": ("route {index} matches: {origin}", "ルート {index} が一致: {origin}"),
    "default_route": ("no VirtualService for this host: default route to {cluster}",
                      "このホストの VirtualService はない: デフォルトルートで {cluster} へ"),
    "no_route": ("no route of {vhost} matches: 404 (Envoy NR)", "{vhost} のどのルートにも一致しない: 404 (Envoy NR)"),
    "redirect": ("redirect {status} to {location}", "{location} へリダイレクト ({status})"),
    "direct": ("direct response {status}", "ダイレクトレスポンス {status}"),
    "server_header": ("the response's server header is the proxy's own: the connection manager overwrites it after the route "
                      "(the rule's set/add/remove of server has no effect)",
                      "応答の server ヘッダーはプロキシ自身のもの: 接続マネージャーがルートの後で上書きする（ルールの server の set/add/remove は効かない）"),
    "cors_preflight": ("CORS preflight from {origin}: the CORS filter answers 200 with the policy's headers (not forwarded)",
                       "{origin} からの CORS プリフライト: CORS フィルターがポリシーのヘッダー付きで 200 を返す(転送しない)"),
    "cors_preflight_ignored": ("CORS preflight from {origin}, an origin the policy does not allow: unmatchedPreflights IGNORE, "
                               "the CORS filter answers 200 without CORS headers (not forwarded)",
                               "ポリシーが許可しないオリジン {origin} からの CORS プリフライト: unmatchedPreflights IGNORE のため、"
                               "CORS フィルターが CORS ヘッダーなしで 200 を返す(転送しない)"),
    "destination": ("destination {cluster} ({share}%)", "宛先 {cluster} ({share}%)"),
    "missing_cluster": ("cluster {cluster} does not exist (no such service, port or subset): 503 (Envoy NC)",
                        "クラスター {cluster} が存在しない(サービス・ポート・サブセットなし): 503 (Envoy NC)"),
    "no_endpoints": ("cluster {cluster} selects no known workload: 503 (Envoy UH, no_healthy_upstream)",
                     "クラスター {cluster} に該当するワークロードがない: 503 (Envoy UH, no_healthy_upstream)"),
    "abort": ("fault abort {status} for {percentage}% of requests", "フォールト abort {status} ({percentage}% のリクエスト)"),
    "delay": ("fault delay {delay} for {percentage}% of requests", "フォールト delay {delay} ({percentage}% のリクエスト)"),
    "rewrite": ("rewritten to {uri} (authority {authority})", "{uri} に書き換え (authority {authority})"),
    "policy": ("traffic policy from {rules} ({scope})", "トラフィックポリシー: {rules} ({scope})"),
    "no_policy": ("no DestinationRule applies to {host}", "{host} に適用される DestinationRule はない"),
    "locality": ("localityLbSetting: Envoy orders the endpoints of {cluster} by their locality against the client's "
                 "{locality} ({source}); the route and the cluster stay as above",
                 "localityLbSetting: Envoy は {cluster} のエンドポイントを、クライアントのローカリティ {locality}({source})"
                 "との近さで順位付けする。ルートとクラスターは上のとおり"),
    "locality_unknown": ("localityLbSetting: Envoy orders the endpoints of {cluster} by locality; the input shows no "
                         "locality for the client (no topology.istio.io/locality label, no Pod on a Node with topology labels)",
                         "localityLbSetting: Envoy は {cluster} のエンドポイントをローカリティで順位付けする。入力からはクライアントの"
                         "ローカリティが分からない(topology.istio.io/locality ラベルも、トポロジーのラベルを持つ Node 上の Pod もない)"),
    "note": ("build: {note}", "構築時: {note}"),
    # Ambient mode (routing.ambient): ztunnel, and the waypoint it hands a request to.
    "ambient_waypoint": ("ambient client: ztunnel hands the request for {service} to waypoint {waypoint} "
                         "(istio.io/use-waypoint on {bound_by})",
                         "アンビエントのクライアント: ztunnel が {service} 宛てのリクエストを waypoint {waypoint} に渡す"
                         "({bound_by} の istio.io/use-waypoint)"),
    "ambient_ztunnel": ("ambient client, no waypoint for {host}: ztunnel carries it as TCP (L4) to {cluster}, no HTTP routing",
                        "アンビエントのクライアントで {host} に waypoint がない: ztunnel が TCP(L4)で {cluster} へ運ぶ(HTTP ルーティングなし)"),
    "a_opt_out": ("{service} has istio.io/use-waypoint=none: no waypoint", "{service} に istio.io/use-waypoint=none: waypoint を使わない"),
    "a_not_ready": ("{bound_by} names waypoint {waypoint}, which the input does not define (istiod: not ready): no waypoint",
                    "{bound_by} が waypoint {waypoint} を指すが、入力にない(istiod では準備ができていない扱い): waypoint なし"),
    "a_not_istio": ("{waypoint} is not of a class istiod programs as a waypoint (istio.io/mesh-controller): not simulated, no waypoint",
                    "{waypoint} は istiod が waypoint として設定するクラス(istio.io/mesh-controller)ではない: シミュレートせず waypoint なし"),
    "a_denied": ("waypoint {waypoint} does not allow Services of namespace {namespace} (allowedRoutes of its HBONE listener): no waypoint",
                 "waypoint {waypoint} は名前空間 {namespace} のサービスを許可しない(HBONE リスナーの allowedRoutes): waypoint なし"),
    "a_traffic_type": ("waypoint {waypoint} is for {traffic} traffic (istio.io/waypoint-for), not service traffic: no waypoint",
                       "waypoint {waypoint} は {traffic} 向け(istio.io/waypoint-for)でサービス向けではない: waypoint なし"),
    "n_waypoint_no_service": ("no Service {service} for this waypoint", "この waypoint に対するサービス {service} がない"),
    "r_waypoint_source_labels": ("sourceLabels are not supported on a waypoint (ambient)",
                                 "waypoint(アンビエント)では sourceLabels は使えない"),
    # Build notes (routing.build): why something did not make it into the route table.
    "w_path": ("path {path} is not {kind} {value}{case}", "パス {path} は {kind} {value}{case} に一致しない"),
    "w_header": ("header {name} {verb} {kind} {value!r}, got {actual!r}", "ヘッダー {name} は {kind} {value!r} {verb_ja}(実際は {actual!r})"),
    "w_query": ("query parameter {name} wants {kind} {value!r}, got {actual!r}",
                "クエリパラメーター {name} は {kind} {value!r} が必要(実際は {actual!r})"),
    "n_policy": ("outbound traffic policy {mode} ({source})", "外向きトラフィックポリシー {mode} ({source})"),
    "n_sidecar": ("Sidecar {sidecar} applies", "Sidecar {sidecar} を適用"),
    "n_no_action": ("{vs} http[{rule}]: no route, redirect or directResponse; skipped",
                    "{vs} http[{rule}]: route・redirect・directResponse がない; 無視"),
    "n_match_dropped": ("{vs} http[{rule}].match[{match}]: {reason}; dropped for this proxy",
                        "{vs} http[{rule}].match[{match}]: {reason}; このプロキシでは除外"),
    "r_port": ("port {port} is not listener port {listener}", "port {port} はリスナーポート {listener} ではない"),
    "r_gateways": ("gateways {gateways} do not include {gateway}", "gateways {gateways} に {gateway} がない"),
    "r_source_labels": ("sourceLabels {labels} do not select this proxy", "sourceLabels {labels} はこのプロキシを選ばない"),
    "r_source_namespace": ("sourceNamespace {namespace} is not {proxy_namespace}",
                           "sourceNamespace {namespace} は {proxy_namespace} ではない"),
    "n_delegate_missing": ("{vs} http[{rule}]: delegate {delegate} not found (or not a delegate); rule dropped",
                           "{vs} http[{rule}]: 委譲先 {delegate} がない(または委譲用でない); ルールを除外"),
    "n_delegate_hidden": ("{vs} http[{rule}]: delegate {delegate} is not exported to {namespace}; rule dropped",
                          "{vs} http[{rule}]: 委譲先 {delegate} が {namespace} に公開されていない; ルールを除外"),
    "n_delegate_outside": ("{vs} http[{rule}]: no match is within the root's match; dropped",
                           "{vs} http[{rule}]: ルート側の match に収まる match がない; 除外"),
    "n_vhost_taken": ("{vs}: virtual host {vhost} already taken by an earlier VirtualService; ignored",
                      "{vs}: 仮想ホスト {vhost} は先の VirtualService が使用済み; 無視"),
    "n_no_route_port": ("{vs}: no route applies to this proxy on port {port}",
                        "{vs}: ポート {port} でこのプロキシに適用されるルートがない"),
    "n_no_route_server": ("{vs}: no route applies on {server}", "{vs}: {server} に適用されるルートがない"),
    "n_gateway_missing": ("Gateway {gateway} not found", "Gateway {gateway} が見つからない"),
    "n_server_not_http": ("{server}: port {port} {protocol} is not HTTP-routed (TLS passthrough/TCP)",
                          "{server}: ポート {port} {protocol} は HTTP ルーティングされない(TLS パススルー/TCP)"),
    # Protocol selection (routing.port_protocol, config.protocol): which listener a port gets, and why.
    "protocol": ("port {port} of {where} is {protocol} ({why}): {listener} listener",
                 "{where} のポート {port} は {protocol}({why}): {listener} リスナー"),
    "no_protocol": ("no service declares port {port} of {host}: no protocol selected",
                    "{host} のポート {port} を宣言するサービスはない: プロトコルは選ばれない"),
    "p_app_protocol": ("appProtocol {value!r}", "appProtocol {value!r}"),
    "p_port_name": ("port name {value!r}", "ポート名 {value!r}"),
    "p_well_known": ("well-known server-first port {value}, never sniffed", "サーバーファーストのよく知られたポート {value}、スニッフィングしない"),
    "p_udp": ("protocol UDP", "protocol UDP"),
    "p_field": ("protocol: {value}", "protocol: {value}"),
    "p_sniffed": ("no protocol in {value!r}: the sidecar sniffs HTTP on the first bytes",
                  "{value!r} にプロトコルがない: サイドカーが先頭バイトで HTTP を判別(スニッフィング)"),
}


class Note(str):
    """A build note: reads as its English text (RouteTable.notes is a list of str), and keeps
    its template key and arguments so a trace can render it in the reader's language."""

    key: str
    args: dict

    def __new__(cls, key: str, **args: object) -> "Note":
        note = super().__new__(cls, STEPS[key][0].format(**args))
        note.key, note.args = key, args
        return note

    def render(self, lang: str) -> str:
        en, ja = STEPS[self.key]
        args = {k: (v.render(lang) if isinstance(v, Note) else v) for k, v in self.args.items()}
        return (ja if lang == "ja" else en).format(**args)


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
        self._templates = _column_of(self.steps, self._column)

    def add(self, key: str, **args: object) -> None:
        self.lines.append(self.text(key, **args))

    def text(self, key: str, **args: object) -> str:
        """Step ``key`` in this trace's language, without adding it (an argument of another step)."""
        for name, value in args.items():
            if type(value) is Note:
                args[name] = value.render(self.lang)
        template = self._templates.get(key) or self.steps[key][self._column]
        return template.format(**args)

    def add_fixed(self, cache: dict, key: tuple, step: str, args: Callable[[], dict]) -> None:
        """Step ``step`` whose arguments depend on ``key`` alone (a table's route, listener or
        cluster): rendered once per language into ``cache``, later added as it was rendered."""
        line = cache.get((self.lang, key))
        if line is None:
            line = cache[(self.lang, key)] = self.text(step, **args())
        self.lines.append(line)

    def around(self, cache: dict, key: tuple, step: str, args: Callable[[], dict], name: str, value: str) -> str:
        """Step ``step`` (not added) whose arguments but ``name`` depend on ``key`` alone: the
        text before and after ``name`` is rendered once per language into ``cache``, ``value``
        put between. Only a plain ``{name}`` field that the fixed arguments do not repeat can be
        cut so; any other is rendered whole each time."""
        parts = cache.get((self.lang, key))
        if parts is None:
            template = self._templates.get(step) or self.steps[step][self._column]
            fields = [(field, conversion, spec) for _, field, spec, conversion in Formatter().parse(template) if field]
            text = self.text(step, **args(), **{name: _MARK})
            plain = fields.count((name, None, "")) == 1 and [f for f, _, _ in fields].count(name) == 1
            parts = cache[(self.lang, key)] = tuple(text.split(_MARK)) if plain and text.count(_MARK) == 1 else ()
        if not parts:
            return self.text(step, **args(), **{name: value})
        return parts[0] + value + parts[1]

    def extend(self, lines: list[str]) -> None:
        """Steps already rendered in this trace's language (a table's build notes, made once)."""
        self.lines.extend(lines)

    @property
    def _column(self) -> int:
        return 1 if self.lang == "ja" else 0


_MARK = "\x00\ufdd0\x00"  # where Trace.around cuts a line (a noncharacter between NULs)


# Each language's templates of STEPS split out once: Trace.add runs about ten times per request.
_STEP_COLUMNS = tuple({key: texts[column] for key, texts in STEPS.items()} for column in (0, 1))


def _column_of(steps: dict[str, tuple[str, str]], column: int) -> dict[str, str]:
    if steps is STEPS:
        return _STEP_COLUMNS[column]
    return {key: texts[column] for key, texts in steps.items()}
