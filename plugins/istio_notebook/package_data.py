"""The YAML data files shipped inside the package (the message catalogue, istioctl's codes, Istio's
annotations), read once at import, and their JSON twins.

A twin ``<name>.json`` beside ``<name>`` holds the same data and the sha256 of the YAML text it
was made from. The playground's wheel carries twins (tools/playground/assets.py writes them):
there PyYAML is pure Python and reading the 52 KB catalogue took about half a second of the first
run. A twin is used only when its hash is the YAML's, so an edited YAML file is never shadowed by
a stale twin; without a twin (the repository, the CLI) the YAML is read. One home for both sides.
Imports nothing from the package (any room may use it).
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import yaml

from istio_notebook.libyaml import SafeLoader

TWIN_SUFFIX = ".json"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load(package: str | Traversable, name: str) -> Any:
    """The data of YAML file ``name`` in ``package`` (a package name or a folder)."""
    folder = resources.files(package) if isinstance(package, str) else package
    text = folder.joinpath(name).read_text(encoding="utf-8")
    twin = folder.joinpath(name + TWIN_SUFFIX)
    if twin.is_file():
        made = json.loads(twin.read_text(encoding="utf-8"))
        if made.get("sha256") == _digest(text):
            return made["data"]
    return yaml.load(text, Loader=SafeLoader)


def twin(text: str) -> str:
    """The JSON twin of YAML ``text``; ValueError when JSON cannot carry its data unchanged
    (a date, a number as a mapping key, ...), so no twin differs from its YAML."""
    data = yaml.load(text, Loader=SafeLoader)
    try:
        carried = json.loads(json.dumps(data, ensure_ascii=False))
    except (TypeError, ValueError) as error:
        raise ValueError(f"JSON cannot carry this YAML's data: {error}") from error
    if carried != data:
        raise ValueError("JSON cannot carry this YAML's data unchanged (non-string mapping keys?)")
    return json.dumps({"sha256": _digest(text), "data": data}, ensure_ascii=False, separators=(",", ":"))
