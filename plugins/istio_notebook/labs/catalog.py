"""The labs on disk: ``labs/<name>/lab.yaml`` read into :class:`Lab` records.

A lab folder holds ``lab.yaml`` (title, description, fixtures, manifests in apply order,
default client and gateway), the manifests themselves, and ``checks.markdown``: Markdown with
```check fences in the docs' syntax. It is deliberately not ``.md``: the docs test collector
runs every ``.md`` page on its own, and these checks only hold on top of the lab's manifests;
they run as part of the generated page ``docs/labs/<name>.md`` (and of ``lab run``). Problems in ``lab.yaml`` are diagnostics (INB4xxx) with file:line, so a
broken lab is reported like any other broken example, never as a traceback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from istio_notebook.config.loader import read_text
from istio_notebook.config.confine import confined
from istio_notebook.config.yaml_reader import Origin, YamlDocument, read_documents
from istio_notebook.diagnostics import Diagnostic, Position, report

LAB_FILE = "lab.yaml"
DEFAULT_CHECKS_FILE = "checks.markdown"
# Keys a lab.yaml may hold; anything else is a typo worth reporting.
_KNOWN_KEYS = {"title", "description", "fixtures", "manifests", "client", "gateway", "checks"}


@dataclass(frozen=True)
class Lab:
    name: str
    directory: Path
    title: str
    description: str
    fixtures: tuple[str, ...]
    manifests: tuple[Path, ...]  # in apply order
    checks_file: Path
    client: str = "default/app=sleep"  # sidecar client "NS/k=v" the kind backend curls from
    gateway: str | None = None  # "NS/NAME" of the Gateway checks go through, if any

    def fixture_files(self, fixtures_dir: Path) -> list[Path]:
        return [fixtures_dir / f"{name}.yaml" for name in self.fixtures]


@dataclass
class Catalog:
    """Every lab under ``labs_dir``, with the fixtures directory they draw on."""

    labs_dir: Path
    fixtures_dir: Path
    labs: dict[str, Lab] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @classmethod
    def load(cls, root: Path) -> "Catalog":
        """Labs of the repository at ``root`` (``labs/`` and ``docs/fixtures/``)."""
        catalog = cls(labs_dir=root / "labs", fixtures_dir=root / "docs" / "fixtures")
        if catalog.labs_dir.is_dir():
            for lab_file in sorted(catalog.labs_dir.glob(f"*/{LAB_FILE}")):
                lab, problems = load_lab(lab_file.parent, catalog.fixtures_dir)
                catalog.diagnostics.extend(problems)
                if lab is not None:
                    catalog.labs[lab.name] = lab
        return catalog

    def select(self, names: list[str]) -> tuple[list[Lab], list[str]]:
        """The named labs in the order given, and the names that are not labs."""
        unknown = [name for name in names if name not in self.labs]
        return [self.labs[name] for name in names if name in self.labs], unknown


def _unfold(text: str) -> str:
    """YAML folding (``>-``) joins lines with a space; Japanese text wants none between two of its characters."""
    return re.sub(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])", "", text)


def _string_list(doc: YamlDocument, key: str, problems: list[Diagnostic], file: str) -> list[str]:
    value = doc.data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        problems.append(report("INB4001", doc.locate(key), file=file, detail=f"'{key}' must be a list of names"))
        return []
    return value


def _file_problems(path: Path, named_at: Position, what: str, name: str) -> list[Diagnostic]:
    """Why a lab file cannot be used: missing (at its name in lab.yaml), unreadable or not UTF-8
    (at the file). A lab is only returned when every file it names reads as text, so the page
    generator, the checks reader and the backends can read them without failing."""
    if not path.exists():
        return [report("INB4002", named_at, what=what, name=name)]
    return read_text(path)[1]  # a directory, FIFO or device is refused there, with its file


def _outside(named_at: Position, what: str, name: str, root: Path) -> Diagnostic:
    return report("INB1018", named_at, what=what, name=name, root=f"{root}{'/' if not str(root).endswith('/') else ''}")


def load_lab(directory: Path, fixtures_dir: Path) -> tuple[Lab | None, list[Diagnostic]]:
    """Read ``directory/lab.yaml``; ``None`` (with diagnostics) when the lab is unusable."""
    path = directory / LAB_FILE
    file = str(path)
    text, unreadable = read_text(path)
    if text is None:
        return None, unreadable
    documents, problems = read_documents(text, Origin(file))
    if problems:
        return None, problems
    if len(documents) != 1 or not isinstance(documents[0].data, dict):
        return None, [report("INB4001", Position(file), file=file, detail="expected one YAML mapping")]
    doc = documents[0]
    data = doc.data
    for key in data:
        if key not in _KNOWN_KEYS:
            problems.append(report("INB4001", doc.locate(key), file=file, detail=f"unknown key '{key}'"))
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.append(report("INB4001", doc.locate("title"), file=file, detail="'title' is required"))
    fixtures = _string_list(doc, "fixtures", problems, file)
    manifest_names = _string_list(doc, "manifests", problems, file)
    if not manifest_names:
        problems.append(report("INB4001", doc.locate("manifests"), file=file, detail="'manifests' must name at least one file"))
    labs_root = directory.parent
    for index, name in enumerate(manifest_names):
        if not confined(directory / name, labs_root):
            problems.append(_outside(doc.locate("manifests", index), "manifest", name, labs_root))
            continue
        problems.extend(_file_problems(directory / name, doc.locate("manifests", index), "manifest", name))
    for index, name in enumerate(fixtures):
        if not confined(fixtures_dir / f"{name}.yaml", fixtures_dir):
            problems.append(_outside(doc.locate("fixtures", index), "fixture", name, fixtures_dir))
        elif not (fixtures_dir / f"{name}.yaml").is_file():
            problems.append(report("INB4002", doc.locate("fixtures", index), what="fixture", name=name))
    checks_name = data.get("checks", DEFAULT_CHECKS_FILE)
    if not isinstance(checks_name, str):
        problems.append(report("INB4002", doc.locate("checks"), what="checks file", name=str(checks_name)))
    elif not confined(directory / checks_name, labs_root):
        problems.append(_outside(doc.locate("checks"), "checks file", checks_name, labs_root))
    else:
        problems.extend(_file_problems(directory / checks_name, doc.locate("checks"), "checks file", checks_name))
    for key in ("client", "gateway", "description"):
        if key in data and not isinstance(data[key], str):
            problems.append(report("INB4001", doc.locate(key), file=file, detail=f"'{key}' must be a string"))
    if problems:
        return None, problems
    lab = Lab(
        name=directory.name,
        directory=directory,
        title=title.strip(),
        description=_unfold(str(data.get("description", "")).strip()),
        fixtures=tuple(fixtures),
        manifests=tuple(directory / name for name in manifest_names),
        checks_file=directory / checks_name,
        client=data.get("client", "default/app=sleep"),
        gateway=data.get("gateway"),
    )
    return lab, []
