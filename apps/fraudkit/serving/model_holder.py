"""Holds an app's Scorer: loaded once at start-up, either right away or in a background thread.

Background loading lets gunicorn answer ``/health`` with 503 while a model loads, so a load balancer sees a
starting container instead of a hung one; a failed load stays visible (503 with the reason) instead of
killing the worker in a restart loop.

Under gunicorn's gevent worker ``threading`` is monkey-patched and this thread is a greenlet: the load runs on
the event loop, so a CPU-bound load holds /health until it ends (a few seconds, within the health checks' start
period) instead of answering 503. A real OS thread (gevent's thread pool) was tried and dropped: the model
libraries' imports run subprocesses (numpy.testing probes the CPU), which fail or hang outside the event loop's
thread under gevent.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from fraudkit.records import Scorer, ScorerLoader
from fraudkit.store import StoreUnavailable

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

    def load_in_background(self) -> threading.Thread:
        """Starts loading in a daemon thread; a failure is logged and reported by ``status``."""
        thread = threading.Thread(target=self._load_quietly, name="model-loader", daemon=True)
        thread.start()
        return thread

    def _load_quietly(self) -> None:
        try:
            self._scorer = self._loader(self.app_dir)
        except Exception as error:  # any load failure must become a 503, not a dead thread
            log.exception("loading the model from %s failed", self.app_dir)
            self._error = f"{type(error).__name__}: {error}"
        finally:
            self._done.set()

    @property
    def scorer(self) -> Scorer | None:
        """The loaded Scorer, or None while loading or after a failed load."""
        return self._scorer

    @property
    def error(self) -> str | None:
        """Why loading failed, or None."""
        return self._error

    def store_error(self) -> str | None:
        """The name of the scorer's state store when it cannot be reached, else None (also for Scorers
        without a store)."""
        scorer = self._scorer
        check = getattr(scorer, "check_store", None)
        if check is None:
            return None
        try:
            check()
        except StoreUnavailable as error:
            return error.store
        return None

    def wait(self, timeout: float | None = None) -> bool:
        """Blocks until loading has finished (either way); False on timeout."""
        return self._done.wait(timeout)
