"""Holds an app's Scorer: loaded once at start-up, either right away or in a background thread.

Background loading lets gunicorn answer ``/health`` with 503 while a model loads, so a load balancer sees a
starting container instead of a hung one; a failed load stays visible (503 with the reason) instead of
killing the worker in a restart loop.

Under gunicorn's gevent worker ``threading`` is monkey-patched, so a ``threading.Thread`` would be a greenlet and
a CPU-bound load would hold the event loop (no /health) until it ends: there the load runs in a real OS thread
of gevent's thread pool, and its outcome is stored back on the event loop. A loader must therefore not open
sockets or start threads itself (those belong to the event loop's thread: do it lazily, on first use).
"""

from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path
from typing import Any

from fraudkit.records import Scorer, ScorerLoader

log = logging.getLogger(__name__)


class ModelHolder:
    """The app's Scorer once loaded, or why it is not there yet."""

    def __init__(self, app_dir: Path, loader: ScorerLoader) -> None:
        self.app_dir = app_dir
        self._loader = loader
        self._scorer: Scorer | None = None
        self._error: str | None = None
        self._done = threading.Event()

    def load(self) -> None:
        """Loads now, in the caller's thread; a failure propagates (a worker that cannot serve must not start)."""
        self._scorer = self._loader(self.app_dir)
        self._done.set()

    def load_in_background(self) -> Any:
        """Starts loading in a daemon thread (an OS thread also under gevent); a failure is logged and reported
        by ``error``. Returns the thread, or gevent's result of the pool task."""
        pool = _gevent_threadpool()
        if pool is not None:
            task = pool.spawn(self._outcome)
            task.rawlink(lambda done: self._store(*done.get()))  # runs on the event loop
            return task
        thread = threading.Thread(target=lambda: self._store(*self._outcome()), name="model-loader", daemon=True)
        thread.start()
        return thread

    def _outcome(self) -> tuple[Scorer | None, str | None]:
        try:
            return self._loader(self.app_dir), None
        except Exception as error:  # any load failure must become a 503, not a dead thread
            log.exception("loading the model from %s failed", self.app_dir)
            return None, f"{type(error).__name__}: {error}"

    def _store(self, scorer: Scorer | None, error: str | None) -> None:
        self._scorer = scorer
        self._error = error
        self._done.set()

    @property
    def scorer(self) -> Scorer | None:
        """The loaded Scorer, or None while loading or after a failed load."""
        return self._scorer

    @property
    def error(self) -> str | None:
        """Why loading failed, or None."""
        return self._error

    def wait(self, timeout: float | None = None) -> bool:
        """Blocks until loading has finished (either way); False on timeout."""
        return self._done.wait(timeout)


def _gevent_threadpool() -> Any:
    """gevent's pool of real OS threads when gevent has patched ``threading`` (its gunicorn worker), else None."""
    monkey = sys.modules.get("gevent.monkey")
    if monkey is None or not monkey.is_module_patched("threading"):
        return None
    import gevent

    return gevent.get_hub().threadpool
