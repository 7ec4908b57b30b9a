"""Material for MkDocs prints a notice about its future on every build (9.7: MkDocs 2.0 breaks
plugins and themes; 9.8: end of life on 5 May 2027, Zensical as the successor) unless
``NO_MKDOCS_2_WARNING`` is set. It is written down once, in docs/contributing/builders.md.

mkdocs.yml calls :func:`quiet` through a YAML tag, so it runs while the file is read, before
Material is imported: a plain ``mkdocs build`` is as quiet as ``./dev build``.
"""

from __future__ import annotations

import os

VARIABLE = "NO_MKDOCS_2_WARNING"


def quiet() -> str:
    """Set the variable Material reads (unless the caller chose a value); the config value is the one in effect."""
    return os.environ.setdefault(VARIABLE, "1")
