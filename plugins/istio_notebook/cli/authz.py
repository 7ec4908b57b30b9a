"""``istio-notebook authz PATH... --request 'METHOD URL' [-H ...] --to NS/k=v,... [--source-principal P | --source-namespace NS] [--source-ip IP]``.

Input handling as ``route`` (loader errors to stderr, continue with what loaded). Exit 0 on an
answer (DENY is an answer), 2 on unusable arguments or input.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import sys

from istio_notebook.cli.batch import AUTHZ_KEYS, check_format, parsed, read_lines, write_answers
from istio_notebook.config.json_lines import compact
from istio_notebook.cli.route import add_common, envoy_failures, envoy_replay, load_mesh, parse_request
from istio_notebook.diagnostics.printable import printable


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "authz",
        help="decide whether a workload's policies allow one HTTP request",
        description="Evaluate AuthorizationPolicy, PeerAuthentication and RequestAuthentication for one request.",
    )
    add_common(parser)
    parser.add_argument("--to", metavar="NS/key=value,...", help="the target workload (required without --requests)")
    who = parser.add_mutually_exclusive_group()
    who.add_argument("--source-principal", metavar="P", help="e.g. cluster.local/ns/default/sa/sleep")
    who.add_argument("--source-namespace", metavar="NS")
    parser.add_argument("--source-ip", metavar="IP")
    parser.add_argument("--mtls", choices=("on", "off"), default="on", help="whether the caller uses mTLS (default on)")
    parser.add_argument("--claim", action="append", default=[], metavar="key=value",
                        help="a claim of a JWT the caller presents (repeat; iss and sub make the request principal)")
    parser.set_defaults(func=run)


def parse_claims(items: list[str]) -> dict:
    from istio_notebook.cli import UsageError

    claims: dict = {}
    for item in items:
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            raise UsageError(f"--claim wants key=value, got {item!r}")
        key = key.strip()
        # A repeated claim becomes a list (e.g. several groups).
        if key in claims:
            existing = claims[key]
            claims[key] = (existing if isinstance(existing, list) else [existing]) + [value]
        else:
            claims[key] = value
    return claims


def _source_ip(value: str | None, what: str) -> str | None:
    if value:
        try:
            ipaddress.ip_address(value)
        except ValueError:
            raise ValueError(f"{what} wants an IP address, got {value!r}") from None
    return value


def run(args: argparse.Namespace) -> int:
    from istio_notebook.authz import Source, Workload, authorize
    from istio_notebook.cli import UsageError
    from istio_notebook.routing import RequestError

    check_format(args)
    if args.requests is not None:
        return run_batch(args)
    request = parse_request(args)
    if not args.to:
        raise UsageError("--to NS/key=value,... is required (the target workload)")
    try:
        to = Workload.parse(args.to)
        source_ip = _source_ip(args.source_ip, "--source-ip")
    except (RequestError, ValueError) as error:
        raise UsageError(str(error)) from None
    source = Source(principal=args.source_principal, namespace=args.source_namespace, ip=source_ip,
                    mtls=args.mtls == "on", claims=parse_claims(args.claim))
    mesh = load_mesh(args)
    if args.backend == "envoy":
        replay = envoy_replay()
        with envoy_failures():
            result = replay.authorize(mesh, request, to, source)
    else:
        result = authorize(mesh, request, to, source, lang=args.lang).to_json()
    if args.format == "json":
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    else:
        head = result.get("decision") or "no decision"
        if result.get("policy"):
            head += f" by {result['policy']} ({result.get('action')} rule {result.get('rule_index')})"
        lines = [head, "trace:"] + [f"  {i}. {s}" for i, s in enumerate(result.get("trace") or [], 1)]
        sys.stdout.write("".join(f"{printable(line)}\n" for line in lines))  # policy names come from input
    return 0


def run_batch(args: argparse.Namespace) -> int:
    """`--requests FILE`: every line's request to its workload, one JSON decision per line."""
    from istio_notebook.authz import Source, Workload, authorize
    from istio_notebook.routing import Request

    claims = parse_claims(args.claim)

    def parse(line):
        fields = line.fields
        if not (fields.get("to") or args.to):
            raise ValueError("'to' is missing (and no --to on the command line)")
        line_claims = fields.get("claims", claims)
        if not isinstance(line_claims, dict):
            raise ValueError("'claims' must be an object of claim names to values")
        principal = fields.get("source_principal", args.source_principal)
        namespace = fields.get("source_namespace", None if "source_principal" in fields else args.source_namespace)
        source = Source(principal=principal, namespace=namespace,
                        ip=_source_ip(fields.get("source_ip", args.source_ip), "'source_ip'"),
                        mtls=bool(fields.get("mtls", args.mtls == "on")), claims=line_claims)
        return Request.parse(fields["request"], fields.get("headers", [])), Workload.parse(fields.get("to") or args.to), source

    triples = parsed(read_lines(args.requests, AUTHZ_KEYS), parse)
    mesh = load_mesh(args)
    if args.backend == "envoy":
        replay = envoy_replay()
        with envoy_failures():
            return write_answers(compact(replay.authorize(mesh, r, to, source)) for r, to, source in triples)
    return write_answers(compact(authorize(mesh, r, to, source, lang=args.lang).to_json()) for r, to, source in triples)
