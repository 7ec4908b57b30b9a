"""Load the message catalogue (``messages.yaml``) once, as typed entries."""

from __future__ import annotations

import enum
import string
from dataclasses import dataclass

from istio_notebook import package_data


HINT_LANGUAGES = ("en", "ja")


class Level(str, enum.Enum):
    ERROR = "Error"
    WARNING = "Warning"
    INFO = "Info"

    @property
    def rank(self) -> int:
        return {"Error": 0, "Warning": 1, "Info": 2}[self.value]


@dataclass(frozen=True)
class Message:
    code: str
    name: str
    level: Level
    description: str
    template: str
    source: str  # "istioctl" when the code is istioctl's own, else "istio-notebook" / "kiali"
    hints: tuple[tuple[str, str], ...] = ()  # (language "en" / "ja", how to fix it)

    def hint(self, lang: str) -> str:
        """The fix hint in ``lang`` ("en" or "ja"), or "" when the message carries none."""
        return dict(self.hints).get(lang, "")

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(f for _, f, _, _ in string.Formatter().parse(self.template) if f)

    def render(self, **args: object) -> str:
        missing = set(self.fields) - set(args)
        if missing:
            raise KeyError(f"{self.code}: missing template arguments {sorted(missing)}")
        return self.template.format(**args)


def _load() -> dict[str, Message]:
    entries = package_data.load(__package__, "messages.yaml")["messages"]
    catalogue: dict[str, Message] = {}
    for entry in entries:
        msg = Message(
            code=entry["code"],
            name=entry["name"],
            level=Level(entry["level"]),
            description=entry["description"].strip(),
            template=entry["template"],
            source=entry.get("source", "istio-notebook"),
            hints=tuple((lang, entry[f"hint_{lang}"].strip()) for lang in HINT_LANGUAGES if f"hint_{lang}" in entry),
        )
        if msg.hints and len(msg.hints) != len(HINT_LANGUAGES):
            raise ValueError(f"{msg.code}: give hint_en and hint_ja together in messages.yaml")
        if msg.code in catalogue:
            raise ValueError(f"duplicate message code {msg.code} in messages.yaml")
        catalogue[msg.code] = msg
    return catalogue


CATALOGUE: dict[str, Message] = _load()


def message(code: str) -> Message:
    return CATALOGUE[code]
