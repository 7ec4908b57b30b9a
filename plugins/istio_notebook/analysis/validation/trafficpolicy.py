"""DestinationRule traffic policies (also Sidecar connection pools): validateTrafficPolicy and helpers."""

from __future__ import annotations

from istio_notebook.analysis.validation import values
from istio_notebook.analysis.validation.findings import (
    Findings,
    Path,
    entries,
    fields,
    items,
    present,
)
from istio_notebook.analysis.validation.hosts import fqdn_error, is_ip
from istio_notebook.config.models.base import duration_nanos

_TOPOLOGY_LABELS = {"topology.kubernetes.io/region", "topology.kubernetes.io/zone", "topology.istio.io/subzone"}
_MAGLEV_MAX = 5000011


def check_traffic_policy(policy: dict, at: Path, found: Findings, warn: bool = False) -> None:
    """``warn``: report Istio's warnings too. Only a DestinationRule's top-level policy does: subsets
    (validateSubset) and port-level settings (validatePortTrafficPolicies) merge their results with
    appendErrors, which drops warnings (validation.go:1274, 1293)."""
    parts = ("outlierDetection", "connectionPool", "loadBalancer", "tls", "portLevelSettings", "tunnel", "proxyProtocol", "retryBudget")
    if not any(present(policy, part) for part in parts):
        found.error(at, "traffic policy must have at least one field")
        return
    if present(policy, "tunnel") and present(policy, "proxyProtocol"):
        found.error(at + ("proxyProtocol",), "tunnel and proxyProtocol must not be set together")
        return
    _check_policy_parts(policy, at, found, warn)
    for index, port_policy in enumerate(items(policy.get("portLevelSettings"))):
        where = at + ("portLevelSettings", index)
        if not present(port_policy, "port"):
            found.error(where, "portTrafficPolicy must have valid port")
        if not any(present(port_policy, part) for part in ("outlierDetection", "connectionPool", "loadBalancer", "tls")):
            found.error(where, "port traffic policy must have at least one field")
        else:
            _check_policy_parts(port_policy, where, found, warn=False)
    if present(policy, "tunnel"):
        _check_tunnel(policy["tunnel"], at + ("tunnel",), found)
    percent = fields(policy.get("retryBudget")).get("percent")
    if percent is not None and not 0 <= percent <= 100:
        found.error(at + ("retryBudget", "percent"), "should be less than or equal to 100 and greater than or equal to 0")  # CRD bounds


def _check_policy_parts(policy: dict, at: Path, found: Findings, warn: bool) -> None:
    outlier = policy.get("outlierDetection")
    if outlier is not None:
        _check_outlier_detection(outlier, at + ("outlierDetection",), found)
        if warn and int(outlier.get("consecutiveErrors") or 0) != 0:  # validation.go:1112
            found.warning(
                at + ("outlierDetection", "consecutiveErrors"),
                "outlier detection consecutive errors is deprecated, use consecutiveGatewayErrors or consecutive5xxErrors instead",
            )
    if present(policy, "connectionPool"):
        check_connection_pool(policy["connectionPool"], at + ("connectionPool",), found)
    if present(policy, "loadBalancer"):
        _check_load_balancer(policy["loadBalancer"], outlier, at + ("loadBalancer",), found, warn)
    if present(policy, "tls"):
        _check_client_tls(policy["tls"], at + ("tls",), found)


def _duration(message: dict, field: str, at: Path, found: Findings) -> None:
    if present(message, field):
        found.errors(at + (field,), [values.duration_error(message[field])])


def _check_tunnel(tunnel: dict, at: Path, found: Findings) -> None:
    protocol = tunnel.get("protocol") or ""
    if protocol and protocol not in ("CONNECT", "POST"):
        found.error(at + ("protocol",), 'tunnel protocol must be "CONNECT" or "POST"')
    host = tunnel.get("targetHost") or ""
    host_problem = fqdn_error(host)
    if host_problem and not is_ip(host):
        found.error(at + ("targetHost",), f"tunnel target host must be valid FQDN or IP address: {host_problem}; {host} is not a valid IP")
    port_problem = values.port_error(tunnel.get("targetPort") or 0)
    if port_problem:
        found.error(at + ("targetPort",), f"tunnel target port is invalid: {port_problem}")


def _check_outlier_detection(outlier: dict, at: Path, found: Findings) -> None:
    _duration(outlier, "baseEjectionTime", at, found)
    _duration(outlier, "interval", at, found)
    if not outlier.get("splitExternalLocalOriginErrors") and (outlier.get("consecutiveLocalOriginFailures") or 0) > 0:
        found.error(
            at + ("consecutiveLocalOriginFailures",),
            "outlier detection consecutive local origin failures is specified, but split external local origin errors is set to false",
        )
    for field in ("maxEjectionPercent", "minHealthPercent"):
        if present(outlier, field):
            found.errors(at + (field,), [values.percent_error(outlier[field])])


def check_connection_pool(pool: dict, at: Path, found: Findings) -> None:
    if not present(pool, "http") and not present(pool, "tcp"):
        found.error(at, "connection pool must have at least one field")
        return
    http, tcp = fields(pool.get("http")), fields(pool.get("tcp"))
    for field, text in (
        ("http1MaxPendingRequests", "http1 max pending requests must be non-negative"),
        ("http2MaxRequests", "http2 max requests must be non-negative"),
        ("maxRequestsPerConnection", "max requests per connection must be non-negative"),
        ("maxRetries", "max retries must be non-negative"),
        ("maxConcurrentStreams", "max concurrent streams must be non-negative"),
    ):
        if (http.get(field) or 0) < 0:
            found.error(at + ("http", field), text)
    _duration(http, "idleTimeout", at + ("http",), found)
    if http.get("h2UpgradePolicy") == "UPGRADE" and http.get("useClientProtocol"):
        found.error(at + ("http", "useClientProtocol"), "use client protocol must not be true when H2UpgradePolicy is UPGRADE")
    if (tcp.get("maxConnections") or 0) < 0:
        found.error(at + ("tcp", "maxConnections"), "max connections must be non-negative")
    _duration(tcp, "connectTimeout", at + ("tcp",), found)
    _duration(tcp, "maxConnectionDuration", at + ("tcp",), found)
    if present(tcp, "idleTimeout") and (duration_nanos(tcp["idleTimeout"]) or 0) // 1_000_000 != 0:
        _duration(tcp, "idleTimeout", at + ("tcp",), found)  # 0s disables the idle timeout
    keepalive = fields(tcp.get("tcpKeepalive"))
    _duration(keepalive, "time", at + ("tcp", "tcpKeepalive"), found)
    _duration(keepalive, "interval", at + ("tcp", "tcpKeepalive"), found)


def _check_load_balancer(balancer: dict, outlier: dict | None, at: Path, found: Findings, warn: bool) -> None:
    hashing = balancer.get("consistentHash")
    if hashing is not None:
        _check_consistent_hash(hashing, at + ("consistentHash",), found)
        if warn and int(hashing.get("minimumRingSize") or 0) != 0:  # validation.go:1217
            found.warning(
                at + ("consistentHash", "minimumRingSize"),
                "consistent hash MinimumRingSize is deprecated, use ConsistentHashLB's RingHash configuration instead",
            )
    if present(balancer, "localityLbSetting"):
        complete = _check_locality(balancer["localityLbSetting"], at + ("localityLbSetting",), found)
        if warn and complete:
            _warn_failover_without_outlier(balancer["localityLbSetting"], outlier, at + ("localityLbSetting",), found)
    if present(balancer, "warmupDurationSecs") and present(balancer, "warmup"):
        found.error(at + ("warmup",), "only one of warmupDurationSecs or warmup can be set")  # CRD rule
    if present(balancer, "warmup"):
        warmup, where = balancer["warmup"], at + ("warmup",)
        _duration(warmup, "duration", where, found)
        if (warmup.get("minimumPercent") or 0) > 100:
            found.error(where + ("minimumPercent",), "minimumPercent value should be less than or equal to 100")
        if present(warmup, "aggression") and warmup["aggression"] <= 0:
            found.error(where + ("aggression",), "aggression should be greater than 0")


def _check_consistent_hash(hashing: dict, at: Path, found: Findings) -> None:
    cookie = hashing.get("httpCookie")
    if cookie is not None:
        if not cookie.get("name"):
            found.error(at + ("httpCookie", "name"), "name required for HttpCookie")
        names: set[str] = set()
        for index, attribute in enumerate(items(cookie.get("attributes"))):
            where = at + ("httpCookie", "attributes", index, "name")
            name = attribute.get("name") or ""
            if not name:
                found.error(where, "cookie attribute name cannot be empty")
            elif name in names:
                found.error(where, f"duplicate cookie attribute name: {name}")
            names.add(name)
    if hashing.get("minimumRingSize") and (present(hashing, "ringHash") or present(hashing, "maglev")):
        found.error(at + ("minimumRingSize",), "only one of MinimumRingSize or Maglev/Ringhash can be specified")
    if present(hashing, "maglev"):
        size = int(hashing["maglev"].get("tableSize") or 0)
        where = at + ("maglev", "tableSize")
        if size == 0:
            found.error(where, "tableSize must be set for maglev")
        if size >= _MAGLEV_MAX:
            found.error(where, f"tableSize must be less than {_MAGLEV_MAX} for maglev")
        elif not _is_prime(size):  # above the limit the size is refused anyway; trial division there could take minutes
            found.error(where, "tableSize must be a prime number for maglev")


def _is_prime(number: int) -> bool:
    # Istio's isPrime treats 0 as not prime and 1..3 as prime.
    if 0 < number < 4:
        return True
    if number % 2 == 0:
        return False
    return all(number % factor for factor in range(3, int(number**0.5) + 1, 2))


def _check_locality(setting: dict, at: Path, found: Findings) -> bool:
    """ValidateLocalityLbSetting; False when it stops early, before its failover warning (agent/validation.go:566)."""
    distribute, failover = items(setting.get("distribute")), items(setting.get("failover"))
    if distribute and failover:
        found.error(at, "can not simultaneously specify 'distribute' and 'failover'")
        return False
    if failover:
        for index, label in enumerate(items(setting.get("failoverPriority"))):
            if label in _TOPOLOGY_LABELS:
                found.error(
                    at + ("failoverPriority", index),
                    f"can not simultaneously set 'failover' and topology label '{label}' in 'failover_priority'",
                )
                return False
    sources = []
    for index, rule in enumerate(distribute):
        where = at + ("distribute", index)
        sources.append(rule.get("from") or "")
        weights = entries(rule.get("to"))
        if any(not 0 < weight <= 100 for weight in weights.values()):
            found.error(where + ("to",), "locality weight must be in range [1, 100]")
            return False
        if sum(weights.values()) != 100:
            found.error(where + ("to",), f"total locality weight {sum(weights.values())} != 100")
            return False
        found.errors(where + ("to",), [_localities_error(list(weights))])
    found.errors(at + ("distribute",), [_localities_error(sources)])
    _check_failover(
        failover,
        at,
        found,
        "locality lb failover settings must specify different regions",
        "locality lb failover only specify region",
        "locality lb failover region should not contain '*' wildcard",
    )
    return True


def _warn_failover_without_outlier(setting: dict, outlier: dict | None, at: Path, found: Findings) -> None:
    """Failover needs outlier detection to notice unhealthy endpoints (agent/validation.go:566)."""
    if outlier is not None:
        return
    for field in ("failover", "failoverPriority"):
        if items(setting.get(field)):
            found.warning(at + (field,), "outlier detection policy must be provided for failover")
            return


def _check_failover(failover: list, at: Path, found: Findings, same: str, slash: str, star: str) -> None:
    for index, rule in enumerate(failover):
        source, target = rule.get("from") or "", rule.get("to") or ""
        where = at + ("failover", index)
        if source == target:
            found.error(where, same)
        if "/" in source or "/" in target:
            found.error(where, slash)
        if "*" in source or "*" in target:
            found.error(where, star)


def _localities_error(localities: list[str]) -> str | None:
    """validateLocalities: region[/zone[/subzone]] with at most one trailing ``*``, no overlaps."""
    seen: dict[str, dict[str, set[str]] | None] = {}  # region → zone → subzones; None means "all"
    for locality in localities:
        stars = locality.count("*")
        if stars and (stars > 1 or not locality.endswith("*")):
            return f"locality {locality} wildcard '*' number can not exceed 1 and must be in the end"
        if "*" in seen:
            return f"locality {locality} overlap with previous specified ones"
        parts = locality.split("/", 2)
        if any(part == "" for part in parts):
            return f"locality {locality} must not contain empty region/zone/subzone info"
        overlap = f"locality {locality} overlap with previous specified ones"
        region = parts[0]
        if len(parts) == 1:
            if region in seen:
                return overlap
            seen[region] = None
            continue
        zones = seen.setdefault(region, {})
        if zones is None or "*" in zones:
            return overlap
        zone = parts[1]
        if len(parts) == 2:
            if zone in zones:
                return overlap
            zones[zone] = {"*"}
            continue
        subzones = zones.setdefault(zone, set())
        if "*" in subzones or parts[2] in subzones:
            return overlap
        subzones.add(parts[2])
    return None


def _check_client_tls(tls: dict, at: Path, found: Findings) -> None:
    mode = tls.get("mode") or "DISABLE"
    credential = tls.get("credentialName") or ""
    if credential.startswith("configmap://"):
        namespace = credential[len("configmap://") :].split("/")[0] if "/" in credential[len("configmap://") :] else found.namespace
        if namespace != found.namespace:
            found.error(
                at + ("credentialName",),
                f'invalid configmap:// credentialName: namespace must match the configuration namespace "{found.namespace}"',
            )
    if tls.get("insecureSkipVerify"):
        if mode == "SIMPLE" and (tls.get("caCertificates") or credential or tls.get("subjectAltNames") is not None):
            found.error(
                at + ("insecureSkipVerify",),
                "cannot specify CaCertificates or CredentialName or SubjectAltNames when InsecureSkipVerify is set true",
            )
        if mode == "MUTUAL" and (tls.get("caCertificates") or tls.get("subjectAltNames") is not None):
            found.error(
                at + ("insecureSkipVerify",), "cannot specify CaCertificates or SubjectAltNames when InsecureSkipVerify is set true"
            )
    if mode in ("SIMPLE", "MUTUAL") and credential:
        if tls.get("clientCertificate") or tls.get("caCertificates") or tls.get("privateKey") or tls.get("caCrl"):
            found.error(at + ("credentialName",), "cannot specify client certificates or CA certificate or CA CRL If credentialName is set")
        return
    if mode == "MUTUAL":
        if not tls.get("clientCertificate"):
            found.error(at + ("mode",), "client certificate required for mutual tls")
        if not tls.get("privateKey"):
            found.error(at + ("mode",), "private key required for mutual tls")
