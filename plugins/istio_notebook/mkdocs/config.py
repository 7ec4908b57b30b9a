"""The plugin's typed configuration (``plugins: - istio-notebook: {...}`` in mkdocs.yml)."""

from __future__ import annotations

from mkdocs.config import config_options as opt
from mkdocs.config.base import Config


class IstioNotebookConfig(Config):
    enabled = opt.Type(bool, default=True)
    # Shared sample workloads named from front matter: <fixtures_dir>/<name>.yaml (relative to docs_dir).
    fixtures_dir = opt.Type(str, default="fixtures")
    # Content-hash cache of page results, so `mkdocs serve` re-checks only what changed.
    cache = opt.Type(bool, default=True)
    cache_dir = opt.Type(str, default=".cache/istio-notebook")
    # Who answers the checks: the routing simulator ("sim") or real Envoy ("envoy").
    backend = opt.Choice(("sim", "envoy"), default="sim")
    # Failed checks (false claims) are warnings, so `mkdocs build --strict` fails on them.
    strict_claims = opt.Type(bool, default=True)
    # Route coverage below this percentage (all pages together) is a warning.
    coverage_minimum = opt.Type((int, float), default=0)
    # Where the generated report pages go (inside docs_dir); their Markdown holds a marker line.
    coverage_page = opt.Type(str, default="reports/coverage.md")
    diagnostics_page = opt.Type(str, default="reference/diagnostics.md")
    check_syntax_page = opt.Type(str, default="reference/check-syntax.md")
