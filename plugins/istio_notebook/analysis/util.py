"""Defensive accessors: analyzers read plain dicts that schema validation may have rejected."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

# One home for the list/mapping readers (config/shape.py); analyzers know them by these names.
from istio_notebook.config.shape import items as as_list, mapping as as_dict  # noqa: F401


def as_str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def enumerate_dicts(value: Any) -> Iterator[tuple[int, dict]]:
    """(index, item) for the mapping items of a list; other items are skipped (schema reports them)."""
    for index, item in enumerate(as_list(value)):
        if isinstance(item, dict):
            yield index, item


def go_list(items: list) -> str:
    """How Go's ``%v`` prints a slice: ``[a b c]`` (istioctl's templates use it)."""
    return "[" + " ".join(str(i) for i in items) + "]"


# A finding that names the other members of a group (IST0109, INB2005) names at most this many:
# with n VirtualServices on one host, n findings each naming all n would be n² text (10,000 VS on
# one host printed 1.39 GB).
NAMED_MEMBERS_LIMIT = 10


def member_list(ordered: Sequence[str], limit: int = NAMED_MEMBERS_LIMIT, *, without: str | None = None) -> str:
    """``a,b,c``, or the first ``limit`` names and ``(and N more)`` for a larger group.

    ``ordered``: the group's names, sorted, each once; ``without``: one of them to leave out (the
    finding's own resource). Costs O(limit), so a finding per member stays linear in the group.
    """
    shown: list[str] = []
    for key in ordered:
        if key != without:
            shown.append(key)
            if len(shown) > limit:
                break
    total = len(ordered) - (without is not None)
    if total <= limit:
        return ",".join(shown)
    return ",".join(shown[:limit]) + f" (and {total - limit:,} more)"
