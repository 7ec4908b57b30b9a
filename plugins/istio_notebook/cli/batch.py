"""Batch mode of `route` and `authz`: many requests from a JSON Lines file, one JSON answer per line.

``--requests FILE`` (``-`` is standard input): each non-blank line is one JSON object,

    route: {"request": "GET http://reviews:9080/", "headers": ["end-user: jason"],
            "gateway": "NS/NAME" | "from": "NS[/k=v,...]"}
           {"request": "tls://api.example.com:443", "sni": "www.example.com", "alpn": "h2"}  (a TLS connection's SNI and ALPN)
    authz: {"request": ..., "headers": [...], "to": "NS/k=v,...", "source_principal": P,
            "source_namespace": NS, "source_ip": IP, "mtls": true, "claims": {"k": "v"}}

Keys left out take the command line's value (``--gateway``/``--from``/``--to``/``--source-*``).
Every line is read and checked before anything is answered, so a bad line stops the run with
``FILE:LINE: reason`` and exit 2 instead of leaving a half-written answer file. Answers are
written in input order, one compact JSON object per line (the single-request JSON contract), so
CI can check thousands of claims with one load of the mesh.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from istio_notebook.config.source import read_stdin, read_text

ROUTE_KEYS = frozenset({"request", "headers", "gateway", "from", "sni", "alpn"})
AUTHZ_KEYS = frozenset({"request", "headers", "to", "source_principal", "source_namespace", "source_ip", "mtls", "claims"})


@dataclass(frozen=True)
class BatchLine:
    """One request of a batch: where it was written and its fields."""

    where: str  # FILE:LINE
    fields: dict[str, Any]


def add_batch_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--requests", metavar="FILE",
                        help="many requests, one JSON object per line ('-' = stdin); answers as JSON Lines")


def read_lines(path: str, allowed: frozenset[str]) -> list[BatchLine]:
    """The batch's requests; a line that is not a JSON object of known keys is a usage error."""
    from istio_notebook.cli import UsageError

    # The same reader as every other input: regular files only, within the size limit.
    name = "<stdin>" if path == "-" else path
    text, problems = read_stdin(name) if path == "-" else read_text(Path(path))
    if text is None:
        reason = problems[0].message if problems else "unreadable"
        raise UsageError(f"{name}: cannot read the requests: {reason}")
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{name}:{number}"
        try:
            fields = json.loads(line)
        except json.JSONDecodeError as error:
            raise UsageError(f"{where}: not JSON ({error.msg})") from None
        if not isinstance(fields, dict):
            raise UsageError(f"{where}: want a JSON object, got {type(fields).__name__}")
        if not allowed.issuperset(fields):
            unknown = sorted(set(fields) - allowed)[0]
            raise UsageError(f"{where}: unknown key {unknown!r} (known: {', '.join(sorted(allowed))})")
        if not isinstance(fields.get("request"), str):
            raise UsageError(f"{where}: 'request' must be a string like 'GET http://reviews:9080/'")
        headers = fields.get("headers", [])
        if not isinstance(headers, list) or (headers and not all(isinstance(h, str) for h in headers)):
            raise UsageError(f"{where}: 'headers' must be a list of 'Name: value' strings")
        if "sni" in fields or "alpn" in fields:
            _check_tls_fields(fields, where)
        out.append(BatchLine(where, fields))
    return out


def _check_tls_fields(fields: dict[str, Any], where: str) -> None:
    from istio_notebook.cli import UsageError

    for key, what in (("sni", "the TLS server name"), ("alpn", "the ALPN protocols, comma-separated,")):
        if key in fields and not isinstance(fields[key], str):
            raise UsageError(f"{where}: '{key}' must be a string, {what} of a tls:// request")


def parsed(lines: list[BatchLine], parse: Callable[[BatchLine], Any]) -> list[Any]:
    """Each line through ``parse``; a ValueError (RequestError, bad label, ...) names its line."""
    from istio_notebook.cli import UsageError

    out = []
    for line in lines:
        try:
            out.append(parse(line))
        except ValueError as error:
            raise UsageError(f"{line.where}: {error}") from None
    return out


def write_answers(lines: Iterator[str]) -> int:
    """One answer per line (config.json_lines), flushed as they come (a long batch shows progress)."""
    # What was read (the mesh, the requests) lives until the process ends: in the permanent
    # generation, the collections that answering triggers do not scan it again and again
    # (benchmarks/route_scale.py batch at 1,000 services: 24.1k -> 26.6k req/s).
    gc.freeze()
    write = sys.stdout.write
    for line in lines:
        write(line + "\n")
    return 0


def check_format(args: argparse.Namespace) -> None:
    from istio_notebook.cli import UsageError

    if args.requests is not None and args.request is not None:
        raise UsageError("give either --request or --requests FILE, not both")
    if args.requests is None and args.request is None:
        raise UsageError("the request is missing: --request 'METHOD URL' (or --requests FILE)")
    if args.requests is not None and args.format == "text":
        raise UsageError("--requests answers in JSON Lines; --format text is for one --request")
