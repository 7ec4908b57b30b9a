"""The plugin's typed configuration (``plugins: - istio-notebook: {...}`` in mkdocs.yml).

Checking options (fixtures, cache, backend, strict claims) belong to the Markdown extension
(``markdown_extensions: - istio_notebook.markdown: {...}``), which every builder runs; these are
the site-wide ones only MkDocs has.
"""

from __future__ import annotations

from mkdocs.config import config_options as opt
from mkdocs.config.base import Config


class IstioNotebookConfig(Config):
    # false: examples render as plain code and nothing is checked (the extension is switched off too).
    enabled = opt.Type(bool, default=True)
    # Route coverage below this percentage (all pages together) is a warning.
    coverage_minimum = opt.Type((int, float), default=0)
    # The generated coverage report (inside docs_dir); its Markdown holds the marker line.
    coverage_page = opt.Type(str, default="reports/coverage.md")
