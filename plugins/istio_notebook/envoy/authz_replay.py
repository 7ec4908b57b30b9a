"""Authorization on real Envoy: the target workload's inbound listener with Istio's RBAC filters.

The caller is played for real: a TLS client certificate carrying its SPIFFE identity (signed by
a CA made for the run) when the source uses mTLS, a PROXY protocol line carrying its IP address
and the destination port. PeerAuthentication decides the listener's filter chains as in Istio:
STRICT keeps only the mTLS chain (a plaintext caller is refused at the handshake), DISABLE only
the plaintext one, PERMISSIVE both (told apart by the TLS inspector).

Observed: 403 with response code details ``rbac_access_denied_matched_policy[<policy id>]``
(the DENY policy and rule that matched, or ``[none]`` when no ALLOW policy matched) → DENY;
401 from jwt_authn (a token that fails RequestAuthentication) → DENY; the request reaching the
local app → ALLOW; a refused connection → DENY (on a TCP port, network RBAC names the policy in the
connection's termination details, read from a listener access log). Which ALLOW policy allowed the request is not
observable (null). JWT claims are sent as a real token signed by a key made for the run (jwt.py).
Requests whose policies Envoy cannot be given here (CUSTOM ext_authz, request principals with
wildcards in the issuer) answer ``decision: null`` with the reason.
"""

from __future__ import annotations

import ssl
import time

from istio_notebook.authz.model import REJECTED, AuthzDecision
from istio_notebook.authz.ports import workload_port
from istio_notebook.authz.providers import bad_custom_policies
from istio_notebook.authz.scope import Matcher, is_gateway, peer_authentication, policies
from istio_notebook.authz.tcp import port_is_tcp
from istio_notebook.envoy import client
from istio_notebook.envoy.certs import principal_for_namespace
from istio_notebook.envoy.echo import REQUEST_ID_HEADER, EchoFleet, EchoIdentity
from istio_notebook.envoy.inbound import (
    INBOUND_LISTENER,
    inbound_bootstrap,
    inbound_cluster,
    termination_log,
)
from istio_notebook.envoy.instrument import DETAILS_HEADER, EXT_AUTHZ_HEADER, instrument
from istio_notebook.envoy.jwt import TokenIssuer, jwt_filter
from istio_notebook.envoy.open_scenarios import OpenScenarios
from istio_notebook.envoy.rbac import (
    BAD_CUSTOM_SUFFIX,
    RbacFilters,
    build_rbac_filters,
    parse_policy_id,
    peer_address_from_proxy_protocol,
)
from istio_notebook.envoy.runner import localize
from istio_notebook.envoy.translate import gateway_hcm_fields
from istio_notebook.envoy.running import EnvoyRun
from istio_notebook.routing.wire import REFUSAL_DETAILS

DENIED_PREFIX = "rbac_access_denied_matched_policy["
TERMINATION_LOG = "terminations.log"
TERMINATION_WAIT = 1.0  # seconds to wait for the line of a closed connection
TERMINATION_FLUSH_MS = 5  # Envoy flushes file access logs every 10 s by default
UNKNOWN_SOURCE_IP = "192.0.2.1"  # TEST-NET-1: a caller address no policy names
NO_IDENTITY = ""  # an mTLS caller whose certificate carries no SPIFFE ID


def peer_mode(mesh, to, port: int) -> str:
    """The PeerAuthentication mode for the workload port (the authz package's lookup)."""
    return peer_authentication(mesh, to, port)[0]


def gateway_hcm_options(mesh, to) -> dict | None:
    """A gateway's HTTP connection manager trusts the peer and ``numTrustedProxies`` hops of
    X-Forwarded-For (istio 1.30 gateway.go: use_remote_address true, xff_num_trusted_hops); a
    sidecar keeps xds.hcm's use_remote_address false. Which address that makes remote.ip:
    authz/remote_ip.py."""
    return gateway_hcm_fields(mesh, to.namespace, to.labels) if is_gateway(mesh, to) else None


class InboundScenario(EnvoyRun):
    """One Envoy playing the workload's inbound sidecar, for one mTLS mode (lifecycle: running.EnvoyRun)."""

    def __init__(self, mesh, to, mode: str, port: int, tcp: bool = False, host: str | None = None):
        super().__init__()
        self.mesh, self.to, self.mode, self.port, self.tcp = mesh, to, mode, port, tcp
        self.host = host  # a waypoint's Service targetRefs depend on the Service the request is for
        self.unsupported: list[str] = []
        self._logged = 0  # termination log lines already read

    def _start(self) -> None:
        ca = self._ca()
        server = ca.workload(principal_for_namespace(self.to.namespace))
        # The simulator's scope rules (authz.scope), so both engines judge the same policies.
        applicable = policies(self.mesh, "AuthorizationPolicy", self.to, self.host)
        rbac = build_rbac_filters(applicable, bad_custom_policies(self.mesh, applicable), tcp=self.tcp)
        self.unsupported = rbac.unsupported
        self.tokens = TokenIssuer()
        authn = None if self.tcp else jwt_filter(policies(self.mesh, "RequestAuthentication", self.to, self.host), self.tokens)
        filters = ([authn] if authn else []) + peer_address_from_proxy_protocol(rbac.filters)
        rbac = RbacFilters(filters, rbac.unsupported)
        self.fleet = EchoFleet()
        app_port = self.fleet.add(EchoIdentity(inbound_cluster(self.port), port=self.port))
        bootstrap = inbound_bootstrap(
            self.port, rbac,
            server=server if self.mode != "DISABLE" else None,
            ca_cert=str(ca.files.cert) if self.mode != "DISABLE" else None,
            upstream_port=app_port,
            plaintext=self.mode != "STRICT",
            tcp=self.tcp,
            hcm_options=gateway_hcm_options(self.mesh, self.to),
        )
        run = localize(instrument(bootstrap))
        listener = run["static_resources"]["listeners"][0]
        if self.tcp:
            listener["access_log"] = [termination_log(str(self.workdir / TERMINATION_LOG))]
        # Before the TLS inspector: the PROXY line names the caller and the destination port.
        listener["listener_filters"].insert(0, {
            "name": "envoy.filters.listener.proxy_protocol",
            "typed_config": {
                "@type": "type.googleapis.com/envoy.extensions.filters.listener.proxy_protocol.v3.ProxyProtocol"
            },
        })
        self._launch(run, file_flush_ms=TERMINATION_FLUSH_MS if self.tcp else None)

    def authorize(self, request, source, port: int | None = None) -> dict:
        """``port``: the workload's port the connection arrives on (the PROXY line names it); default the request's."""
        return self.decide(request, source, port).to_json()

    def decide(self, request, source, port: int | None = None) -> AuthzDecision:
        """The decision real Envoy takes, as the evaluator's AuthzDecision (``envoy``: what was observed)."""
        assert self.envoy is not None
        if self.unsupported:
            return AuthzDecision(None, trace=[f"envoy: not replayed: {why}" for why in self.unsupported],
                                 envoy={"unsupported": self.unsupported})
        use_tls = bool(source.mtls) and self.mode != "DISABLE"
        caller = f"{self.mode}, {'mTLS' if use_tls else 'plaintext'}"
        tls = self._client_certificate(source) if use_tls else None
        try:
            response = self._send(request, source, port, tls)
        except (ConnectionError, ssl.SSLError, OSError) as error:
            details = self._termination() if self.tcp else ""
            decision = denied_by(details) if details.startswith(DENIED_PREFIX) else AuthzDecision("DENY")
            decision.envoy = {"connection": "refused", **({"details": details} if self.tcp else {})}
            decision.trace.insert(0, f"envoy: connection refused by the inbound listener ({caller} caller): {type(error).__name__}")
            return decision
        if self.tcp:
            # Network RBAC answers nothing: a connection that carries the app's reply was allowed.
            # Its termination line is read too: the next connection's line is then its own.
            return AuthzDecision("ALLOW", envoy={"status": response.status, "mode": self.mode, "mtls": use_tls, "tcp": True,
                                                 "details": self._termination()},
                                 trace=[f"envoy: inbound TCP ({self.mode}) → the app answered HTTP {response.status} through tcp_proxy"])
        custom = response.headers.get(EXT_AUTHZ_HEADER, "")
        if custom and custom != "-":
            return AuthzDecision(None, envoy={"unsupported": ["CUSTOM"], "custom_rule": custom}, trace=[
                f"envoy: not replayed: CUSTOM rule {custom} sends this request to an ext_authz provider, and none runs here"])
        details = response.headers.get(DETAILS_HEADER, "")
        decision = http_decision(response.status, details)
        decision.envoy = {"status": response.status, "details": details, "mode": self.mode, "mtls": use_tls}
        decision.trace.insert(0, f"envoy: inbound ({caller}) → HTTP {response.status} ({details or '-'})")
        return decision

    def _termination(self) -> str:
        """Why Envoy ended the last TCP connection (the termination log; written as it closes)."""
        assert self.workdir is not None
        path = self.workdir / TERMINATION_LOG
        deadline = time.monotonic() + TERMINATION_WAIT
        while True:
            lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
            if len(lines) > self._logged or time.monotonic() > deadline:
                break
            time.sleep(0.01)
        new, self._logged = lines[self._logged:], len(lines)
        return next((line for line in reversed(new) if line.startswith(DENIED_PREFIX)), new[-1] if new else "")

    def _client_certificate(self, source):
        """The caller's certificate: its principal's SPIFFE ID (or its namespace's), else none in it."""
        principal = source.principal or (principal_for_namespace(source.namespace) if source.namespace else NO_IDENTITY)
        return self._ca().workload(principal) if principal else self._ca().anonymous()

    def _send(self, request, source, port: int | None, tls) -> client.Response:
        """The request as the caller sends it: over ``tls`` (mTLS), a token for its claims, a PROXY line."""
        headers = [("host", request.authority)]
        claims = dict(getattr(source, "claims", None) or {})
        # The caller's claims become a token signed with the run's key (the request's own
        # "Authorization: Bearer <token>" placeholder is replaced).
        headers += [(k, v) for k, v in request.sent_lines() if not (claims and k == "authorization")]
        if claims:
            headers.append(("authorization", f"Bearer {self.tokens.token(claims)}"))
        headers.append((REQUEST_ID_HEADER, "authz"))
        proxy = client.ProxyLine(source.ip or UNKNOWN_SOURCE_IP, request.port if port is None else port)
        return client.send(self.envoy.listener_port(INBOUND_LISTENER), request.method, request.path_with_query, headers,
                           proxy=proxy, tls=tls)


def http_decision(status: int, details: str) -> AuthzDecision:
    """An HTTP answer of the inbound listener → the decision: 401 from jwt_authn (RequestAuthentication)
    and 403 ``rbac_access_denied_matched_policy[<policy id>|none]`` deny, the app's answer
    (``via_upstream``) allows; anything else decides nothing."""
    if status == 401 and details.startswith("jwt_authn_access_denied"):
        return AuthzDecision("DENY")
    if status == 403 and details.startswith(DENIED_PREFIX):
        return denied_by(details)
    if details == "via_upstream":
        return AuthzDecision("ALLOW")
    if details in REFUSAL_DETAILS:  # the connection manager answered before any filter (routing/wire.py)
        return AuthzDecision(REJECTED, trace=[f"envoy: the HTTP connection manager answered {status} itself ({details})"])
    return AuthzDecision(None, trace=["envoy: neither RBAC nor the app answered"])


def denied_by(details: str) -> AuthzDecision:
    """RBAC's ``rbac_access_denied_matched_policy[<policy id>|none]`` (HTTP response details, or a
    TCP connection's termination details) → DENY with the policy and rule it names."""
    inner = details[len(DENIED_PREFIX):-1]
    parsed = parse_policy_id(inner)
    if parsed is None:
        return AuthzDecision("DENY")
    return AuthzDecision("DENY", parsed[0], "CUSTOM" if inner.endswith(BAD_CUSTOM_SUFFIX) else "DENY", parsed[1])


_OPEN: OpenScenarios[InboundScenario] = OpenScenarios()
close_all = _OPEN.close_all


def _scenario(mesh, to, mode: str, port: int, tcp: bool, host: str) -> InboundScenario:
    service = Matcher.of(mesh, to, host).service  # None unless a waypoint: then policies depend on it
    key = (id(mesh), to.namespace, tuple(sorted(to.labels.items())), mode, port, tcp, service)
    return _OPEN.get(key, mesh, lambda: InboundScenario(mesh, to, mode, port, tcp, host if service else None).start())


def authorize(mesh, request, to, source) -> dict:
    port = workload_port(mesh, to, request.host, request.port)  # what the inbound listener sees (authz/ports.py)
    tcp = port_is_tcp(mesh, to, request.host, request.port) is not None
    return _scenario(mesh, to, peer_mode(mesh, to, port), port, tcp, request.host).authorize(request, source, port)
