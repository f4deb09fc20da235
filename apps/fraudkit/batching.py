"""Adaptive micro-batching: the model calls of concurrent /predict requests merged into one call.

A model call has a fixed cost (ONNX Runtime's dispatch, NumPy's per-operation overhead) that is large next to
the per-row work, so under concurrent load one call over the rows of several requests costs less CPU than one
call each. No dispatcher thread: the first request to reach the model leads a batch, waits for the other
requests already in flight (at most ``FRAUDKIT_BATCH_WAIT_MS``), runs the call and hands every request its rows.
A request alone in the app never waits. Only ``threading`` primitives are used, so the same code serves
gunicorn's gthread workers and gevent workers (where gevent's monkey-patching turns the Condition's timed wait
into a cooperative one). Outside the HTTP layer (training, benchmarks) nothing is tracked and nothing waits;
the module needs no Flask, so the scorer can use it in the training environment.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np

WAIT_ENV = "FRAUDKIT_BATCH_WAIT_MS"
"""Environment variable: the longest a batch leader waits for other in-flight requests (ms); 0 turns batching off."""
DEFAULT_WAIT_MS = 2.0
MAX_ROWS = 1000
"""A batch takes no more rows than this (a request larger than it runs alone)."""

Arrays = Sequence[np.ndarray]
"""Row-aligned arrays: every array's first axis is the row."""

_awaiting = 0  # tracked requests that have not reached the model yet
_awaiting_lock = threading.Lock()
_local = threading.local()  # per thread, or per greenlet under gevent's monkey-patching


@contextmanager
def tracked_request() -> Iterator[None]:
    """Marks one /predict request as on its way to the model, so a batch leader knows whom to wait for."""
    global _awaiting
    with _awaiting_lock:
        _awaiting += 1
    _local.awaiting = True
    try:
        yield
    finally:
        _arrived()


def _arrived() -> None:
    """The calling request no longer needs waiting for (its rows reached the model, or it is finished)."""
    global _awaiting
    if getattr(_local, "awaiting", False):
        _local.awaiting = False
        with _awaiting_lock:
            _awaiting -= 1


def awaiting() -> int:
    """How many tracked requests of this process have not reached the model yet."""
    return _awaiting


def wait_seconds_from_env() -> float:
    """``FRAUDKIT_BATCH_WAIT_MS`` in seconds (default 2 ms); a bad value is a start-up error naming it."""
    raw = os.environ.get(WAIT_ENV, "").strip()
    if not raw:
        return DEFAULT_WAIT_MS / 1000.0
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{WAIT_ENV}={raw!r}: expected milliseconds (a number >= 0)") from None
    if not value >= 0 or value > 1000:
        raise ValueError(f"{WAIT_ENV}={raw!r}: expected milliseconds between 0 and 1000")
    return value / 1000.0


class _Batch:
    __slots__ = ("parts", "rows", "closed", "done", "result", "error")

    def __init__(self) -> None:
        self.parts: list[Arrays] = []
        self.rows = 0
        self.closed = False
        self.done = False
        self.result: Arrays = ()
        self.error: BaseException | None = None


class MicroBatcher:
    """Runs ``call`` (row-aligned arrays in, row-aligned arrays out, rows independent of each other) over the
    merged rows of concurrent ``run`` calls. ``wait_s`` bounds a leader's wait; 0 runs every call alone."""

    def __init__(self, call: Callable[[Arrays], Arrays], wait_s: float, max_rows: int = MAX_ROWS) -> None:
        self._call = call
        self.wait_s = float(wait_s)
        self.max_rows = int(max_rows)
        self._cond = threading.Condition()
        self._open: _Batch | None = None
        self.batches = 0
        self.merged_requests = 0

    def run(self, inputs: Arrays) -> Arrays:
        """``call(inputs)``, possibly computed together with other requests' rows; same result either way."""
        _arrived()
        rows = len(inputs[0])
        if self.wait_s <= 0 or rows >= self.max_rows or rows == 0:
            return self._call(inputs)
        with self._cond:
            batch = self._open
            leader = batch is None or batch.rows + rows > self.max_rows
            if leader:
                if batch is not None:  # full: close it so its leader stops waiting for us
                    batch.closed = True
                    self._cond.notify_all()
                batch = self._open = _Batch()
            start = batch.rows
            batch.parts.append(inputs)
            batch.rows += rows
            if not leader:
                self._cond.notify_all()
                while not batch.done:
                    self._cond.wait()
                if batch.error is not None:
                    raise batch.error
                return [out[start : start + rows] for out in batch.result]
            deadline = time.monotonic() + self.wait_s
            while not batch.closed and awaiting() > 0:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            batch.closed = True
            if self._open is batch:
                self._open = None
        try:
            if len(batch.parts) == 1:
                batch.result = self._call(inputs)
            else:
                batch.result = self._call([np.concatenate([p[i] for p in batch.parts]) for i in range(len(inputs))])
        except BaseException as error:  # noqa: BLE001 - re-raised below; every waiting request must hear of it
            batch.error = error
        with self._cond:
            self.batches += 1
            self.merged_requests += len(batch.parts)
            batch.done = True
            self._cond.notify_all()
        if batch.error is not None:
            raise batch.error
        return [out[:rows] for out in batch.result]
