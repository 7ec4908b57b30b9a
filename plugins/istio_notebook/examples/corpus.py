"""Every scenario and runnable check the docs/ pages hold, for whole-repository replays.

A ``CorpusScenario`` is one mesh (a page's scenario: fixtures + its YAML examples; the labs are
included through their generated pages in docs/labs/), the proxies its checks go through, and its checks.
The Envoy tests and the agreement benchmark iterate over it: ``envoy --mode validate`` for each
scenario × proxy, and each check through both engines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from istio_notebook.config import Mesh
from istio_notebook.examples.backends import proxy_of
from istio_notebook.examples.model import Check


@dataclass
class CorpusScenario:
    name: str  # "docs/traffic/mirroring.md#default" or "lab:mirroring"
    mesh: Mesh
    checks: list[Check] = field(default_factory=list)  # runnable ones (see runnable)

    def proxies(self) -> list:
        """The proxy views the routing checks use (a sidecar in `default` when there is none)."""
        found: dict = {}
        for check in self.checks:
            if not check.is_authz:
                proxy = proxy_of(check.context)
                found.setdefault(proxy.key, proxy)
        if not found:
            from istio_notebook.routing import Proxy

            proxy = Proxy.sidecar("default")
            found[proxy.key] = proxy
        return list(found.values())


def runnable(check: Check) -> bool:
    """A check with a request and no problems of its own can be replayed."""
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
            checks = [c for b in page.check_blocks if b.scenario == name for c in b.checks if runnable(c)]
            if not examples and not checks:
                continue
            scenario = build_scenario(name, page.fixtures_of(name), examples, store)
            out.append(CorpusScenario(f"{page.file}#{name}", scenario.mesh, checks))
    return out
