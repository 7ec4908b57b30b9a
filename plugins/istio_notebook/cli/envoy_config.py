"""``istio-notebook envoy-config PATH... (--gateway NS/NAME | --from NS[/labels]) [--format json|yaml] [--validate] [--only KIND/NS/NAME]``.

Prints the Envoy configuration istiod would send that proxy (as one bootstrap: listeners, route
configurations, clusters). ``--validate`` also runs ``envoy --mode validate`` on it: exit 1 when
Envoy rejects it (the whole configuration is validated, also with ``--only``). ``--only`` prints
just what one resource became (envoy/excerpt.py). Exit 2 for unusable arguments or input.
"""

from __future__ import annotations

import argparse
import json
import sys

import yaml

from istio_notebook.cli.inputs import add_input_arguments


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "envoy-config",
        help="print the Envoy configuration a gateway or sidecar gets",
        description="Translate the Istio resources to the Envoy configuration of one proxy (Istio's names).",
    )
    add_input_arguments(parser)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--gateway", metavar="NS/NAME", help="the gateway workload this Gateway selects")
    where.add_argument("--from", dest="source", metavar="NS[/key=value,...]", help="a sidecar (default: namespace default)")
    parser.add_argument("--format", choices=("json", "yaml"), default="json")
    parser.add_argument("--validate", action="store_true", help="also run `envoy --mode validate` on it")
    parser.add_argument("--only", metavar="KIND/NS/NAME",
                        help="print only what this resource became (e.g. VirtualService/default/reviews)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from istio_notebook.cli import UsageError
    from istio_notebook.cli.route import load_proxy_and_mesh
    from istio_notebook.envoy.translate import envoy_config

    if not args.gateway and not args.source:
        raise UsageError("say which proxy: --gateway NS/NAME or --from NS[/key=value,...]")
    proxy, mesh = load_proxy_and_mesh(args)
    config = envoy_config(mesh, proxy)
    shown = config
    if args.only:
        from istio_notebook.envoy.excerpt import excerpt

        kind, _, rest = args.only.partition("/")
        namespace, _, name = rest.partition("/")
        resource = mesh.get(kind, namespace, name) if name else None
        if resource is None:
            raise UsageError(f"--only wants KIND/NS/NAME of a resource in the input, got {args.only!r}")
        shown = excerpt(config, resource)
    if args.format == "yaml":
        sys.stdout.write(yaml.safe_dump(shown, sort_keys=False, allow_unicode=True))
    else:
        sys.stdout.write(json.dumps(shown, indent=2, ensure_ascii=False) + "\n")
    if args.validate:
        from istio_notebook.envoy.binary import EnvoyNotFound
        from istio_notebook.envoy.blame import responsible
        from istio_notebook.envoy.runner import rejection, rejection_reason, validate

        try:
            accepted, message = validate(config)
        except EnvoyNotFound as error:
            raise UsageError(str(error)) from None
        if not accepted:
            print(rejection(proxy, message, responsible(mesh, proxy, rejection_reason(message))), file=sys.stderr)
            return 1
        print("envoy --mode validate: OK", file=sys.stderr)
        return 0
    return 0
