"""Every scenario and check the repository documents (docs/ pages and labs/), ready to replay.

A ``CorpusScenario`` is one mesh (a page's scenario: fixtures + its YAML examples; or a lab:
fixtures + manifests), the proxies its checks go through, and its checks. The Envoy tests and
the agreement benchmark iterate over it: ``envoy --mode validate`` for each scenario × proxy,
and each check through both engines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from istio_notebook.config import Mesh


@dataclass
class CorpusScenario:
    name: str  # "docs/traffic/mirroring.md#default" or "lab:mirroring"
    mesh: Mesh
    checks: list = field(default_factory=list)  # examples.model.Check with a request

    def proxies(self) -> list:
        """The proxy views the checks use (a sidecar in `default` when there is no check)."""
        from istio_notebook.routing import Proxy

        found: dict = {}
        for check in self.checks:
            if check.is_authz:
                continue
            proxy = proxy_of(check)
            found.setdefault(proxy.key, proxy)
        if not found:
            proxy = Proxy.sidecar("default")
            found[proxy.key] = proxy
        return list(found.values())


def proxy_of(check):
    from istio_notebook.routing import Proxy

    context = check.context
    return Proxy.parse_gateway(context.via) if context.via else Proxy.parse_from(context.from_ or "default")


def request_of(check):
    from istio_notebook.routing import Request

    return Request.parse(check.request.request_line, list(check.request.headers))


def _runnable(check) -> bool:
    return check.request is not None and not check.diagnostics


def doc_scenarios(root: Path) -> list[CorpusScenario]:
    """Scenarios of every Markdown page under ``root/docs`` that holds YAML examples or checks."""
    from istio_notebook.examples.find import read_page_file
    from istio_notebook.examples.fixtures import FixtureStore
    from istio_notebook.examples.run import build_scenario

    docs = root / "docs"
    if not docs.is_dir():
        return []
    store = FixtureStore(docs / "fixtures", display_root=root)
    out = []
    for path in sorted(docs.rglob("*.md")):
        page = read_page_file(path, str(path.relative_to(root)))
        if not page.examples and not page.check_blocks:
            continue
        names = list(page.scenarios) or ["default"]
        names += [b.scenario for b in page.check_blocks if b.scenario not in names]
        for name in dict.fromkeys(names):
            examples = [e for e in page.examples if e.mode == "scenario" and e.scenario == name]
            checks = [c for b in page.check_blocks if b.scenario == name for c in b.checks if _runnable(c)]
            if not examples and not checks:
                continue
            scenario = build_scenario(name, page.fixtures_of(name), examples, store)
            out.append(CorpusScenario(f"{page.file}#{name}", scenario.mesh, checks))
    return out


def lab_scenarios(root: Path) -> list[CorpusScenario]:
    from istio_notebook.labs.catalog import Catalog
    from istio_notebook.labs.scenario import load_scenario

    catalog = Catalog.load(root)
    out = []
    for name, lab in sorted(catalog.labs.items()):
        scenario = load_scenario(lab, catalog.fixtures_dir)
        out.append(CorpusScenario(f"lab:{name}", scenario.mesh, [c for c in scenario.checks if _runnable(c)]))
    return out


def all_scenarios(root: Path) -> list[CorpusScenario]:
    return doc_scenarios(root) + lab_scenarios(root)


def authz_parties(check):
    """(Workload, Source) of an authz check, as the examples backend builds them."""
    from istio_notebook.authz import Source, Workload

    context = check.context
    namespace, _, labels = (context.to or "").partition("/")
    to = Workload(namespace, dict(pair.split("=", 1) for pair in filter(None, labels.split(","))))
    source = Source(
        principal=context.source_principal,
        namespace=context.source_namespace,
        ip=context.source_ip,
        mtls=True if context.mtls is None else context.mtls,
        claims=dict(context.claims),
    )
    return to, source
