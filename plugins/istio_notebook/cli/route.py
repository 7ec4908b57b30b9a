"""``istio-notebook route PATH... --request 'METHOD URL' [-H 'Name: value']... [--gateway NS/NAME | --from NS[/k=v,...]]``.

Input problems: loader diagnostics of Error level are printed to stderr (one line each, with
file:line) and the simulation continues with the resources that did load, because one broken
document should not hide where a request goes; when nothing loads at all, or a path cannot be
read, the command stops with exit 2. Exit 0 whenever an answer is printed (a 404 is an answer).
"""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import contextmanager

from istio_notebook.cli.batch import ROUTE_KEYS, add_batch_argument, check_format, parsed, read_lines, write_answers
from istio_notebook.config.json_lines import compact
from istio_notebook.cli.inputs import add_input_arguments, inputs_of, require_input
from istio_notebook.diagnostics.printable import printable
from istio_notebook.config import Mesh
from istio_notebook.diagnostics import Level
from istio_notebook.examples.backends import BACKENDS



def add_common(parser: argparse.ArgumentParser) -> None:
    """Arguments `route` and `authz` share."""
    add_input_arguments(parser)
    parser.add_argument("--request", metavar="'METHOD URL'", help="e.g. 'GET http://reviews:9080/reviews/1'")
    add_batch_argument(parser)
    parser.add_argument("-H", "--header", dest="headers", action="append", default=[], metavar="'Name: value'")
    parser.add_argument("--sni", default=None, metavar="NAME", help="TLS server name of a tls://host:port connection (default: the host)")
    parser.add_argument("--alpn", default=None, metavar="P1,P2",
                        help="ALPN protocols a tls:// connection offers, as openssl's -alpn ('' for none; "
                             "default: Istio's mTLS ALPNs for an outbound_. SNI, else none)")
    # No default: text for one --request, JSON Lines for --requests (batch.check_format).
    parser.add_argument("--format", choices=("text", "json"), default=None)
    parser.add_argument("--backend", choices=BACKENDS, default="sim", help="sim (default) or envoy (real Envoy replay)")
    parser.add_argument("--lang", choices=("en", "ja"), default=None, help="trace language (default: from the locale)")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "route",
        help="simulate where one HTTP request goes (gateway or sidecar)",
        description="Simulate one HTTP request through the Istio configuration, as Envoy configured by istiod would route it.",
    )
    add_common(parser)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--gateway", metavar="NS/NAME", help="as the gateway workload this Gateway selects")
    where.add_argument("--from", dest="source", metavar="NS[/key=value,...]", help="as a sidecar (default: namespace default)")
    parser.set_defaults(func=run)


def load_mesh(args: argparse.Namespace) -> Mesh:
    """Load the input; loader errors go to stderr; unusable input raises UsageError."""
    from istio_notebook.cli import UsageError

    require_input(args)
    loaded = inputs_of(args)
    if loaded.unreadable:
        d = loaded.unreadable[0]
        raise UsageError(f"{d.file}: {d.message}")
    errors = [d for d in loaded.reported(loaded.diagnostics) if d.level == Level.ERROR]
    for d in errors:
        print(f"warning: input skipped: {d}", file=sys.stderr)
    if not loaded.resources:
        first = errors[0] if errors else (loaded.diagnostics[0] if loaded.diagnostics else None)
        raise UsageError(f"no usable resource in the input (first problem: {first})" if first else "no resources in the input")
    return Mesh(loaded.resources)


def parse_request(args: argparse.Namespace):
    from istio_notebook.cli import UsageError
    from istio_notebook.routing import Request, RequestError

    try:
        return Request.parse(args.request, args.headers, sni=args.sni, alpn=args.alpn)
    except RequestError as error:
        raise UsageError(str(error)) from None


def load_proxy_and_mesh(args: argparse.Namespace):
    """`--gateway` / `--from` as a Proxy, and the input mesh; a Gateway missing from it is a usage error."""
    from istio_notebook.cli import UsageError
    from istio_notebook.routing import Proxy, RequestError

    try:
        proxy = Proxy.parse_gateway(args.gateway) if args.gateway else Proxy.parse_from(args.source)
    except RequestError as error:
        raise UsageError(str(error)) from None
    mesh = load_mesh(args)
    if proxy.kind == "gateway":
        check_gateway(mesh, proxy)
    return proxy, mesh


def check_gateway(mesh: Mesh, proxy) -> None:
    """`--gateway NS/NAME` names an Istio Gateway or a Gateway API Gateway; neither, or both, is a usage error."""
    from istio_notebook.cli import UsageError
    from istio_notebook.gatewayapi import gateways_named

    found = gateways_named(mesh, proxy.namespace, proxy.name)
    if not found:
        raise UsageError(f"Gateway {proxy.namespace}/{proxy.name} not found in the input")
    if len(found) > 1:
        both = " and ".join(f"{gw.api_version} Gateway {gw.key} ({gw.position.file}:{gw.position.line})" for gw in found)
        raise UsageError(f"--gateway {proxy.namespace}/{proxy.name} is ambiguous: the input has {both}")


def envoy_replay():
    from istio_notebook.cli import UsageError

    try:
        from istio_notebook.envoy import replay
    except ImportError:
        raise UsageError("envoy backend not available") from None
    return replay


@contextmanager
def envoy_failures():
    """Envoy missing, not executable, not starting or not ready: one line, exit 2 (not an internal error).
    When Envoy refused the translated configuration, the line starts with the input's file:line
    that configuration came from (envoy/blame.py) and carries Envoy's whole reason."""
    from istio_notebook.cli import UsageError
    from istio_notebook.envoy.binary import EnvoyNotFound
    from istio_notebook.envoy.runner import EnvoyError

    try:
        yield
    except EnvoyError as error:
        where = f"{error.position}: " if error.position is not None else ""
        raise UsageError(f"{where}envoy backend failed: {error}") from None
    except (EnvoyNotFound, OSError) as error:  # OSError: the binary could not be executed at all
        raise UsageError(f"envoy backend failed: {error}") from None


def run(args: argparse.Namespace) -> int:
    from istio_notebook.routing import route

    check_format(args)
    if args.requests is not None:
        return run_batch(args)
    request = parse_request(args)
    proxy, mesh = load_proxy_and_mesh(args)
    if args.backend == "envoy":
        replay = envoy_replay()
        with envoy_failures():
            result = replay.route(mesh, request, proxy, only=True)
    else:
        result = route(mesh, request, proxy, lang=args.lang).to_json()
    sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n" if args.format == "json" else as_text(result))
    return 0


def batch_pairs(lines: list, gateway: str | None = None, source: str | None = None) -> list:
    """Each batch line's (Request, Proxy); keys left out take ``gateway`` / ``source`` (the command
    line's). A proxy written alike on many lines is parsed once and shared (Proxy is frozen), so
    its table key is sorted once per batch, not once per line."""
    from istio_notebook.routing import Proxy, Request

    proxies: dict[tuple, Proxy] = {}

    def parse(line):
        fields = line.fields
        named = fields.get("gateway", gateway if "from" not in fields else None)
        spec = ("gateway", named) if named else ("from", fields.get("from", source))
        proxy = proxies.get(spec)
        if proxy is None:
            proxy = proxies[spec] = Proxy.parse_gateway(named) if named else Proxy.parse_from(spec[1])
        return Request.parse(fields["request"], fields.get("headers", []), sni=fields.get("sni"), alpn=fields.get("alpn")), proxy

    return parsed(lines, parse)


def run_batch(args: argparse.Namespace) -> int:
    """`--requests FILE`: every line's request through its proxy, one JSON outcome per line."""
    from istio_notebook.routing import route

    pairs = batch_pairs(read_lines(args.requests, ROUTE_KEYS), args.gateway, args.source)
    mesh = load_mesh(args)
    for proxy in {p.key: p for _, p in pairs if p.kind == "gateway"}.values():
        check_gateway(mesh, proxy)
    if args.backend == "envoy":
        replay = envoy_replay()
        with envoy_failures():
            return write_answers(compact(replay.route(mesh, request, proxy)) for request, proxy in pairs)
    return write_answers(route(mesh, request, proxy, lang=args.lang).json_line() for request, proxy in pairs)


def _destination(d: dict) -> str:
    text = d.get("host") or "?"
    if d.get("port"):
        text += f":{d['port']}"
    if d.get("subset"):
        text += f" subset {d['subset']}"
    return text


def as_text(result: dict) -> str:
    """A short human summary, then the trace."""
    lines = []
    action = result.get("action")
    status = result.get("status")
    head = f"{action}" + (f" {status}" if status is not None else "")
    if action == "route" and result.get("destinations"):
        dests = result["destinations"]
        if len(dests) == 1:
            head += f" → {_destination(dests[0])}"
        else:
            head += " → " + " | ".join(f"{_destination(d)} {d.get('weight'):g}%" for d in dests)
    elif action == "redirect" and result.get("redirect"):
        head += f" → {result['redirect']['location']}"
    lines.append(head)
    if result.get("waypoint"):
        lines.append(f"via waypoint {result['waypoint']}")
    ref = result.get("route_ref")
    if ref:
        where = f"{ref['kind']} {ref['namespace']}/{ref['name']} rule {ref['rule_index']}"
        lines.append(where + (f" match {ref['match_index']}" if ref.get("match_index") is not None else ""))
    if result.get("virtual_service"):
        where = f"virtual service {result['virtual_service']} rule {result.get('route_index')}"
        if result.get("match_index") is not None:
            where += f" match {result['match_index']}"
        lines.append(where)
    for d in result.get("destinations") or []:
        lines.append(f"cluster {d.get('cluster')}")
    for key in ("rewrite", "direct_response", "fault", "timeout", "retries", "mirrors", "headers", "cors"):
        value = result.get(key)
        if value not in (None, [], {}):
            lines.append(f"{key.replace('_', ' ')}: {json.dumps(value, ensure_ascii=False)}")
    policy = result.get("policy")
    if policy:
        tls = policy.get("tls") or {}
        lb = policy.get("load_balancer") or {}
        lines.append(f"policy: tls {tls.get('mode')}{' (auto)' if tls.get('auto') else ''}, lb {lb.get('simple') or json.dumps(lb)}"
                     + (f", from {', '.join(policy['destination_rules'])}" if policy.get("destination_rules") else ""))
    trace = result.get("trace") or []
    if trace:
        lines.append("trace:")
        lines.extend(f"  {i}. {step}" for i, step in enumerate(trace, 1))
    return "".join(f"{printable(line)}\n" for line in lines)  # names, paths, headers come from input
