"""The in-process store: one ``OnlineFeatureState`` behind a lock, optionally persisted to a host folder.

With ``FRAUDKIT_STATE_SNAPSHOT`` set (EC2 mounts /var/lib/fraudkit), the state is loaded from there when the
file exists, written there every ``FRAUDKIT_SNAPSHOT_INTERVAL`` seconds and once more when the process exits
(gunicorn turns SIGTERM into a normal exit of the worker), so a container restart loses at most one interval.
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fraudkit.records import LabelledTransaction, Transaction
from fraudkit.state import OnlineFeatureState, StateUpdate
from fraudkit.store.base import StateStore
from fraudkit.store.config import StoreConfig

log = logging.getLogger(__name__)


class MemoryStore(StateStore):
    """The state in this process (gunicorn threads share it through the lock)."""

    def __init__(self, state: OnlineFeatureState) -> None:
        self.state = state
        self.windows = state.windows
        self.delay_days = state.delay_days
        self.history_k = state.history_k
        self.feature_names = list(state.feature_names)
        self._lock = threading.Lock()
        self._persist_path: Path | None = None
        self._stop = threading.Event()
        self._dirty = False

    @staticmethod
    def open(snapshot: Path, history_k: int, config: StoreConfig) -> MemoryStore:
        """The shipped ``snapshot``, or the persisted one when ``config.snapshot_path`` exists."""
        persisted = config.snapshot_path
        source = persisted if persisted is not None and persisted.is_file() else snapshot
        state = OnlineFeatureState.load(
            source,
            history_k=history_k,
            max_labels_per_terminal_day=config.max_labels_per_terminal_day,
            max_future_skew=config.max_future_skew,
        )
        store = MemoryStore(state)
        if persisted is not None:
            store.persist(persisted, config.snapshot_interval)
        return store

    def score(self, transactions: Sequence[Transaction]) -> list[StateUpdate]:
        with self._lock:
            self._dirty = True
            return [self.state.update(tx) for tx in transactions]

    def label(self, labelled: Sequence[LabelledTransaction]) -> list[str]:
        with self._lock:
            self._dirty = True
            return [self.state.label(tx) for tx in labelled]

    def limits(self) -> dict[str, Any]:
        with self._lock:
            return {"store": "memory", **self.state.limits()}

    def describe(self) -> str:
        return "memory"

    # -- persistence -------------------------------------------------------------------------------
    def persist(self, path: Path, interval: float) -> threading.Thread:
        """Writes the state to ``path`` every ``interval`` seconds (when it changed) and at exit."""
        self._persist_path = Path(path)
        atexit.register(self.save_now)
        thread = threading.Thread(target=self._persist_loop, args=(max(interval, 0.05),), daemon=True)
        thread.name = "state-snapshot"
        thread.start()
        return thread

    def _persist_loop(self, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                if self._dirty:
                    self.save_now()
            except Exception:  # a full disk must not stop serving; the next round tries again
                log.exception("writing the state snapshot to %s failed", self._persist_path)

    def save_now(self) -> None:
        """Writes the snapshot now (atomically: a temporary file renamed over the old one)."""
        if self._persist_path is None:
            return
        with self._lock:
            self._dirty = False
            self.state.save_atomic(self._persist_path)

    def close(self) -> None:
        self._stop.set()
        atexit.unregister(self.save_now)
