"""PyYAML's safe loader: libyaml's (C) when PyYAML was built with it, else the pure-Python one.

The browser playground's PyYAML (Pyodide) has no libyaml extension; both loaders build the same
nodes with the same marks and the same error problems, the C one only faster. One home, so that
no module names ``yaml.CSafeLoader`` itself. Imports nothing from the package (any room may use it).
"""

from __future__ import annotations

import yaml

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
