"""Authorization trace steps in English and Japanese (one table, as routing.trace)."""

from __future__ import annotations

from istio_notebook.routing.trace import Trace

STEPS: dict[str, tuple[str, str]] = {
    "target": ("target workload {workload}", "対象ワークロード {workload}"),
    "workload_port": ("Service port {service_port} reaches the workload on port {port} (targetPort): policies see {port}",
                      "Service のポート {service_port} はワークロードのポート {port}(targetPort)に届く: ポリシーが見るのは {port}"),
    "mtls": ("mTLS mode {mode} ({source})", "mTLS モード {mode} ({source})"),
    "gateway_mtls": ("gateway: PeerAuthentication does not apply; its Gateway servers decide TLS (plaintext accepted on HTTP servers)",
                     "ゲートウェイ: PeerAuthentication は適用されない。TLS は Gateway のサーバーの設定で決まる(HTTP のサーバーは平文を受ける)"),
    "trusted_hops": ("gateway: use_remote_address true, xff_num_trusted_hops {count} (numTrustedProxies from {source}): "
                     "remote.ip is the peer when 0, else the {count}th X-Forwarded-For address from the right",
                     "ゲートウェイ: use_remote_address true、xff_num_trusted_hops {count}({source} の numTrustedProxies): "
                     "remote.ip は 0 なら接続の送信元、それ以外は X-Forwarded-For の右から {count} 番目"),
    "strict_plaintext": ("STRICT mTLS rejects the plaintext connection (connection reset, no HTTP status)",
                         "STRICT mTLS は平文接続を拒否(接続リセット、HTTP ステータスなし)"),
    "codec_refused": ("Envoy's HTTP connection manager answers {status} itself ({details}), before any filter: REJECTED, no policy decides",
                      "Envoy の HTTP 接続マネージャーが自ら {status} を返す ({details})。どのフィルターより前なので REJECTED（ポリシーは判断しない）"),
    "no_peer_identity": ("no mTLS: source principal and namespace are unknown to the policy",
                         "mTLS なし: 送信元の principal と namespace はポリシーから見えない"),
    "jwt_unchecked": ("no RequestAuthentication applies: the token is not validated, no request principal",
                      "RequestAuthentication が適用されない: トークンは検証されず request principal はない"),
    "jwt_rejected": ("token issuer {issuer} is not among [{issuers}]: 401 (invalid JWT)",
                     "トークンの発行者 {issuer} は [{issuers}] にない: 401 (無効な JWT)"),
    "jwt_ok": ("valid token: request principal {principal}", "有効なトークン: request principal {principal}"),
    "target_ref": ("AuthorizationPolicy {policy} uses targetRef (gateways/waypoints): not applied to a sidecar workload",
                   "AuthorizationPolicy {policy} は targetRef 指定(ゲートウェイ/waypoint 用): サイドカーには適用されない"),
    "tcp_port": ("port {port} is {protocol} to Istio: the network RBAC filter decides; HTTP-only fields (hosts, methods, paths, "
                 "requestPrincipals, request.headers, request.auth.*) are unknown there",
                 "ポート {port} は Istio にとって {protocol}: ネットワーク RBAC フィルターが判定し、HTTP だけのフィールド(hosts・methods・"
                 "paths・requestPrincipals・request.headers・request.auth.*)はそこでは分からない"),
    "tcp_skipped": ("ALLOW policy {policy} rule {rule} uses HTTP-only fields: istiod skips it on the TCP filter chain",
                    "ALLOW ポリシー {policy} のルール {rule} は HTTP だけのフィールドを使う: istiod は TCP のフィルターチェーンでは省く"),
    "unbuildable_skipped": ("ALLOW policy {policy} rule {rule} has a port or address istiod cannot build: it skips the rule",
                            "ALLOW ポリシー {policy} のルール {rule} に istiod が変換できないポートかアドレスがある: istiod はルールを省く"),
    "tcp_denied": ("on a TCP port a denied connection is closed (no HTTP status)",
                   "TCP のポートでは、拒否された接続は閉じられる(HTTP ステータスなし)"),
    "target_ref_other": ("AuthorizationPolicy {policy} targets another resource than gateway {gateway}: not applied",
                         "AuthorizationPolicy {policy} の targetRef はゲートウェイ {gateway} 以外を指す: 適用されない"),
    "target_ref_applied": ("AuthorizationPolicy {policy} applies to gateway {gateway} through its targetRef",
                           "AuthorizationPolicy {policy} は targetRef でゲートウェイ {gateway} に適用される"),
    "audit": ("AUDIT policy {policy} matches (logged only)", "AUDIT ポリシー {policy} が一致(記録のみ)"),
    "custom": ("CUSTOM policy {policy} rule {rule} matches: the external authorizer {provider} decides (assumed to allow)",
               "CUSTOM ポリシー {policy} のルール {rule} が一致: 外部認可 {provider} が判断(許可と仮定)"),
    "custom_bad": ("CUSTOM policy {policy} rule {rule} matches, but istiod cannot build its ext_authz filter ({problem}): "
                   "it installs the rule as DENY instead: 403 RBAC: access denied",
                   "CUSTOM ポリシー {policy} のルール {rule} が一致。ただし istiod は ext_authz フィルターを作れない({problem})ため、"
                   "ルールを DENY として設定する: 403 RBAC: access denied"),
    "deny_match": ("DENY policy {policy} rule {rule} matches: 403 RBAC: access denied",
                   "DENY ポリシー {policy} のルール {rule} が一致: 403 RBAC: access denied"),
    "deny_no_match": ("DENY policy {policy}: no rule matches", "DENY ポリシー {policy}: 一致するルールなし"),
    "no_allow_policies": ("no ALLOW policy applies: allowed", "ALLOW ポリシーが適用されない: 許可"),
    "allow_match": ("ALLOW policy {policy} rule {rule} matches: allowed", "ALLOW ポリシー {policy} のルール {rule} が一致: 許可"),
    "allow_no_match": ("ALLOW policy {policy}: no rule matches", "ALLOW ポリシー {policy}: 一致するルールなし"),
    "allow_no_rules": ("ALLOW policy {policy} has no rules: it matches nothing",
                       "ALLOW ポリシー {policy} に rules がない: 何にも一致しない"),
    "default_deny": ("ALLOW policies apply but none matches: 403 RBAC: access denied",
                     "ALLOW ポリシーがあるがどれも一致しない: 403 RBAC: access denied"),
}


class AuthzTrace(Trace):
    def __init__(self, lang: str | None = None):
        super().__init__(lang, STEPS)
