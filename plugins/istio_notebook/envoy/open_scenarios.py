"""A small cache of running scenarios (one Envoy + echo servers each), closed at exit.

Starting Envoy costs tens of milliseconds; a docs build or a CLI run replays many requests
against the same mesh and proxy, so the last few scenarios stay up. The key holds ``id(mesh)``;
an entry is reused only while it still holds that very mesh and its Envoy is running.
"""

from __future__ import annotations

import atexit
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar


class _Running(Protocol):
    mesh: object
    envoy: object

    def close(self) -> None: ...


S = TypeVar("S", bound=_Running)


class OpenScenarios(Generic[S]):
    def __init__(self, max_open: int = 4) -> None:
        self.max_open = max_open
        self._open: OrderedDict[tuple, S] = OrderedDict()
        self._lock = threading.RLock()  # shared by threads (e.g. a docs build)
        atexit.register(self.close_all)

    def get(self, key: tuple, mesh: object, start: Callable[[], S]) -> S:
        """The running scenario for ``key`` and ``mesh``; ``start()`` a new one (closing the oldest) when none."""
        with self._lock:
            scenario = self._open.get(key)
            if scenario is not None and scenario.mesh is mesh and scenario.envoy is not None:
                self._open.move_to_end(key)
                return scenario
            scenario = self._open[key] = start()
            while len(self._open) > self.max_open:
                _, old = self._open.popitem(last=False)
                old.close()
            return scenario

    def close_all(self) -> None:
        with self._lock:
            while self._open:
                _, scenario = self._open.popitem()
                scenario.close()
