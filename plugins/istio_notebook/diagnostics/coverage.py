"""istioctl's codes (pinned ``istioctl_codes.yaml``) and whether this project judges each one."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from istio_notebook import package_data


class Status(str, enum.Enum):
    IMPLEMENTED = "implemented"  # reported by the modules listed
    OFFLINE = "offline"  # cannot be judged from files (the reason says why)
    PENDING = "pending"  # could be judged from files, not implemented yet


@dataclass(frozen=True)
class IstioctlCode:
    code: str
    name: str
    level: str
    status: Status
    modules: tuple[str, ...]  # istio_notebook.<module> that report it (IMPLEMENTED only)
    reason: str  # why not (OFFLINE) or what it needs (PENDING)
    note: str = ""  # IMPLEMENTED only: what the input must hold for it to be judged, if anything


def _entry(raw: dict) -> IstioctlCode:
    statuses = [s for s in Status if s.value in raw]
    if len(statuses) != 1:
        raise ValueError(f"{raw.get('code')}: istioctl_codes.yaml needs exactly one of implemented/offline/pending")
    status = statuses[0]
    value = raw[status.value]
    modules = tuple(value) if status is Status.IMPLEMENTED else ()
    note = str(raw.get("note", ""))
    return IstioctlCode(raw["code"], raw["name"], raw["level"], status, modules, "" if modules else str(value), note)


def _load() -> tuple[str, tuple[IstioctlCode, ...]]:
    data = package_data.load(__package__, "istioctl_codes.yaml")
    return data["istioctl"], tuple(_entry(raw) for raw in data["codes"])


ISTIOCTL_VERSION, ISTIOCTL_CODES = _load()
