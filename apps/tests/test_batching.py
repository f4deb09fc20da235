"""Micro-batching of model calls: concurrent requests share one call, get their own rows back, never wait alone."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from fraudkit.batching import WAIT_ENV, MicroBatcher, awaiting, tracked_request, wait_seconds_from_env

APPS_ROOT = Path(__file__).resolve().parents[1]


class Recorder:
    """A row-wise model call that remembers the batch sizes it was given."""

    def __init__(self) -> None:
        self.sizes: list[int] = []

    def __call__(self, inputs):
        (X,) = inputs
        self.sizes.append(len(X))
        return [X.sum(axis=1), X * 2.0]


def _concurrent(batcher: MicroBatcher, requests: list[np.ndarray]) -> list[list[np.ndarray]]:
    results: list[list[np.ndarray]] = [[] for _ in requests]
    entered = threading.Barrier(len(requests))

    def one(i: int) -> None:
        with tracked_request():
            entered.wait()  # every request is in flight before any reaches the model
            results[i] = list(batcher.run([requests[i]]))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(requests))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_concurrent_requests_share_a_call_and_get_their_own_rows() -> None:
    rng = np.random.default_rng(0)
    requests = [rng.normal(size=(n, 4)) for n in (1, 3, 1, 2)]
    call = Recorder()
    results = _concurrent(MicroBatcher(call, wait_s=5.0), requests)
    for X, (sums, doubled) in zip(requests, results):
        assert np.array_equal(sums, X.sum(axis=1)) and np.array_equal(doubled, X * 2.0)
    assert sum(call.sizes) == 7 and len(call.sizes) < len(requests)
    assert awaiting() == 0


def test_a_request_alone_does_not_wait() -> None:
    call = Recorder()
    batcher = MicroBatcher(call, wait_s=30.0)
    started = time.monotonic()
    with tracked_request():
        batcher.run([np.ones((1, 3))])
    assert time.monotonic() - started < 10  # far below the 30 s it would wait for a batch
    assert call.sizes == [1]


def test_batching_off_runs_every_call_alone() -> None:
    call = Recorder()
    _concurrent(MicroBatcher(call, wait_s=0.0), [np.ones((1, 2))] * 4)
    assert call.sizes == [1, 1, 1, 1]


def test_a_failing_call_fails_every_request_of_the_batch() -> None:
    def broken(inputs):
        raise RuntimeError("model broke")

    batcher = MicroBatcher(broken, wait_s=5.0)
    errors: list[str] = []
    entered = threading.Barrier(3)

    def one() -> None:
        with tracked_request():
            entered.wait()
            try:
                batcher.run([np.ones((1, 2))])
            except RuntimeError as error:
                errors.append(str(error))

    threads = [threading.Thread(target=one) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == ["model broke"] * 3


def test_wait_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(WAIT_ENV, raising=False)
    assert wait_seconds_from_env() == pytest.approx(0.002)
    monkeypatch.setenv(WAIT_ENV, "0")
    assert wait_seconds_from_env() == 0.0
    for bad in ("soon", "-1", "nan", "5000"):
        monkeypatch.setenv(WAIT_ENV, bad)
        with pytest.raises(ValueError, match=WAIT_ENV):
            wait_seconds_from_env()


def test_batches_under_gevent() -> None:
    pytest.importorskip("gevent")
    script = textwrap.dedent(
        """
        from gevent import monkey; monkey.patch_all()
        import gevent, numpy as np
        from fraudkit.batching import MicroBatcher, tracked_request
        sizes = []
        def call(inputs):
            sizes.append(len(inputs[0])); return [inputs[0] * 2]
        batcher = MicroBatcher(call, wait_s=5.0)
        out = {}
        def one(i):
            with tracked_request():
                gevent.sleep(0)
                out[i] = batcher.run([np.full((1, 2), float(i))])[0]
        gevent.joinall([gevent.spawn(one, i) for i in range(4)], timeout=30)
        assert all((out[i] == 2 * i).all() for i in range(4)), out
        assert sum(sizes) == 4 and len(sizes) < 4, sizes
        print("ok")
        """
    )
    run = subprocess.run([sys.executable, "-c", script], cwd=APPS_ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr
