"""The in-process store persisted to a host folder (EC2): written periodically and atomically, and on
gunicorn's SIGTERM, then loaded at the next start, so a restarted container continues where it stopped."""

from __future__ import annotations

import shutil
import signal
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from fraudkit.app_folders import APPS_ROOT
from fraudkit.records import Transaction
from fraudkit.state import OnlineFeatureState
from fraudkit.store.config import StoreConfig
from fraudkit.store.memory import MemoryStore

T0 = datetime(2019, 1, 2, 10)


def test_periodic_snapshot_is_loaded_at_the_next_start(tmp_path: Path):
    shipped = tmp_path / "shipped.npz"
    OnlineFeatureState().save(shipped)
    config = StoreConfig(snapshot_path=tmp_path / "host" / "state.npz", snapshot_interval=0.05)
    store = MemoryStore.open(shipped, 0, config)
    store.score([Transaction("a", 1, 7, T0, 10.0), Transaction("b", 1, 7, T0 + timedelta(minutes=1), 30.0)])
    deadline = time.monotonic() + 10
    while not config.snapshot_path.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    store.close()
    time.sleep(0.1)
    assert sorted(p.name for p in config.snapshot_path.parent.iterdir()) == ["state.npz"]  # no temporary left
    restarted = MemoryStore.open(shipped, 0, config)
    (c,) = restarted.score([Transaction("c", 1, 7, T0 + timedelta(minutes=2), 20.0)])
    assert c.features[3] == 3 and c.features[4] == pytest.approx(20.0)  # a and b survived the restart
    restarted.score([Transaction("a", 1, 7, T0, 10.0)])  # a retry of a scored transaction: not added again
    (d,) = restarted.score([Transaction("d", 1, 7, T0 + timedelta(minutes=3), 20.0)])
    assert d.features[3] == 4  # a, b, c, d
    assert restarted.limits()["customers"] == 1
    restarted.close()


@pytest.mark.gunicorn
def test_sigterm_writes_the_snapshot(tmp_path: Path):
    import sys

    sys.path.insert(0, str(APPS_ROOT / "benchmark"))
    import multi_server

    app = tmp_path / "flask-logreg-app"
    shutil.copytree(APPS_ROOT / "flask-logreg-app", app)
    OnlineFeatureState().save(app / "model" / "state.npz")
    snapshot = tmp_path / "host" / "state.npz"
    env = {"FRAUDKIT_STATE_SNAPSHOT": str(snapshot), "FRAUDKIT_SNAPSHOT_INTERVAL": "3600"}
    server = multi_server.Server(app, env, tmp_path).start()
    tx = {"transaction_id": "x1", "customer_id": 5, "terminal_id": 9, "tx_datetime": "2019-01-02T10:00:00"}
    assert multi_server.request(server.port, "POST", "/predict", {"transactions": [{**tx, "tx_amount": 5.0}]})[0] == 200
    assert not snapshot.exists()
    assert server.process is not None
    server.process.send_signal(signal.SIGTERM)
    server.process.wait(30)
    state = OnlineFeatureState.load(snapshot)
    assert state.limits()["customers"] == 1
