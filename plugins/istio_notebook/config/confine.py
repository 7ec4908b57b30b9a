"""Paths named inside input (front matter, lab.yaml) stay inside the folder they must come from.

A page's ``fixtures: [../../../etc/x]`` or a lab's ``manifests: [/home/me/secret.yaml]`` would
otherwise read any file of the machine that builds the site (a pull request can carry either).
The path is resolved (``..`` removed, symbolic links followed) before it is compared.
"""

from __future__ import annotations

from pathlib import Path


def confined(path: Path, root: Path) -> bool:
    """Does ``path``, resolved, lie within ``root`` (resolved)?"""
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symbolic link loop
        return False
    return True
