"""The online state computes the batch features, keeps its bounds, and survives a snapshot round trip."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import numpy as np
import pytest
from irregular_stream import irregular_stream, reference_customer_features

from fraudkit.features import FEATURE_NAMES, BaselineFeatures, epoch_seconds, previous_rows
from fraudkit.records import LabelledTransaction, Transaction
from fraudkit.simulator import SimulatorConfig, simulate
from fraudkit.state import OnlineFeatureState, snapshot_from_table
from fraudkit.stream import replay

RISK_1D = FEATURE_NAMES.index("TERMINAL_ID_RISK_1DAY_WINDOW")


@pytest.fixture(scope="module")
def world():
    table = simulate(SimulatorConfig.small(nb_days=45, n_customers=150))
    return table, BaselineFeatures().fit_transform(table)


def stream_features(state, table, with_feedback=True):
    updates = replay(
        table,
        lambda txs: [state.update(tx) for tx in txs],
        (lambda labels: sum(state.add_label(x) for x in labels)) if with_feedback else (lambda labels: 0),
    )
    return updates


def test_replay_with_feedback_equals_batch_features(world):
    table, batch = world
    updates = stream_features(OnlineFeatureState(), table)
    online = np.array([u.features for u in updates])
    np.testing.assert_allclose(online, batch, rtol=0, atol=1e-9)


def test_without_feedback_terminal_risk_stays_zero(world):
    table, batch = world
    online = np.array([u.features for u in stream_features(OnlineFeatureState(), table, with_feedback=False)])
    assert batch[:, RISK_1D].max() > 0
    assert online[:, RISK_1D].max() == 0
    np.testing.assert_allclose(online[:, :RISK_1D], batch[:, :RISK_1D], atol=1e-9)


def test_snapshot_then_stream_equals_batch_features(world, tmp_path):
    table, batch = world
    cut = np.datetime64("2018-05-01")
    before, after = np.nonzero(table.tx_datetime < cut)[0], np.nonzero(table.tx_datetime >= cut)[0]
    snapshot_from_table(table.select(before)).save(tmp_path / "state.npz")
    state = OnlineFeatureState.load(tmp_path / "state.npz")
    online = np.array([u.features for u in stream_features(state, table.select(after))])
    np.testing.assert_allclose(online, batch[after], rtol=0, atol=1e-9)


def test_save_load_round_trip_keeps_future_features(world, tmp_path):
    table, _ = world
    head = table.select(np.nonzero(table.tx_datetime < np.datetime64("2018-05-10"))[0])
    state = OnlineFeatureState(history_k=2)
    stream_features(state, head)
    state.save(tmp_path / "s.npz")
    loaded = OnlineFeatureState.load(tmp_path / "s.npz")
    assert loaded.limits() == state.limits()
    probe = Transaction("p", int(table.customer_id[0]), int(table.terminal_id[0]), datetime(2018, 5, 10, 3), 42.5)
    np.testing.assert_allclose(loaded.peek(probe), state.peek(probe), atol=1e-9)


def test_history_holds_the_previous_feature_vectors(world):
    table, batch = world
    updates = stream_features(OnlineFeatureState(history_k=3), table)
    prev = previous_rows(table.customer_id, epoch_seconds(table.tx_datetime), 3)
    for i in np.random.default_rng(0).choice(len(table), size=200, replace=False):
        rows = prev[i][prev[i] >= 0]
        np.testing.assert_allclose(updates[i].previous, batch[rows].reshape(-1, 15), atol=1e-9)


def test_snapshot_history_matches_the_stream(world):
    table, batch = world
    state = snapshot_from_table(table, batch, history_k=2)
    cid = int(table.customer_id[-1])
    last_two = np.nonzero(table.customer_id == cid)[0][-2:]
    probe = Transaction("p", cid, 0, datetime(2018, 6, 1), 10.0)
    np.testing.assert_allclose(state.update(probe).previous, batch[last_two], atol=1e-9)


def _tx(tid, customer, terminal, when, amount=10.0):
    return Transaction(tid, customer, terminal, when, amount)


def test_least_recently_used_customer_is_evicted():
    state = OnlineFeatureState(max_customers=2)
    t0 = datetime(2018, 4, 1, 12)
    for i, customer in enumerate([1, 2, 1, 3]):  # customer 2 is the least recently used when 3 arrives
        state.update(_tx(str(i), customer, 0, t0 + timedelta(minutes=i)))
    assert state.limits()["customers"] == 2
    assert state.peek(_tx("x", 1, 0, t0 + timedelta(hours=1)))[3] == 3  # 1-day count: two earlier + this one
    assert state.peek(_tx("y", 2, 0, t0 + timedelta(hours=1)))[3] == 1  # forgotten


def test_labels_are_deduplicated_corrected_and_refused_when_stale():
    state = OnlineFeatureState()
    t0 = datetime(2018, 4, 1, 12)
    state.update(_tx("a", 1, 7, t0))
    fraud = LabelledTransaction("a", 1, 7, t0, 10.0, True)
    assert state.add_label(fraud) and state.add_label(fraud)
    later = _tx("b", 2, 7, t0 + timedelta(days=7, hours=12))
    assert state.peek(later)[RISK_1D] == 1.0  # one transaction, one fraud, counted once
    assert state.add_label(replace(fraud, is_fraud=False))
    assert state.peek(later)[RISK_1D] == 0.0
    state.update(_tx("c", 3, 8, t0 + timedelta(days=60)))
    assert not state.add_label(fraud)  # older than delay + the longest window


def test_memory_is_bounded_in_time():
    state = OnlineFeatureState()
    t0 = datetime(2018, 4, 1)
    for day in range(100):
        state.update(_tx(str(day), 1, 1, t0 + timedelta(days=day)))
    customer = state._customers[1]
    terminal = state._terminals[1]
    assert len(customer.times) - customer.lo <= 31 and len(terminal.times) - terminal.lo <= 38
    # The pruned head is deleted in bulk: at most about as much again as is kept, plus a constant.
    assert len(customer.times) <= 2 * 31 + 64 and len(terminal.times) <= 2 * 38 + 64


def test_out_of_order_same_second_and_sub_cent_amounts_equal_direct_sums():
    stream = irregular_stream()
    state = OnlineFeatureState()
    online = np.array([state.update(tx).features for tx in stream])
    assert sum(a.tx_datetime > b.tx_datetime for a, b in zip(stream, stream[1:])) > 50  # really out of order
    np.testing.assert_allclose(online[:, 3:9], reference_customer_features(stream), rtol=0, atol=1e-9)


class _CountingList(list):
    """A list that counts the items read from it (bisect reads through __getitem__ too)."""

    reads = 0

    def __getitem__(self, index):
        _CountingList.reads += 1
        return super().__getitem__(index)


def test_a_customer_update_reads_a_bounded_number_of_entries():
    """What one transaction reads does not grow with the customer's history (prefix sums and binary searches
    in place of a pass over the window)."""
    reads = {}
    for history in (10, 5000):
        state = OnlineFeatureState()
        t0 = datetime(2018, 4, 1)
        for i in range(history):  # all inside the 30-day window
            state.update(_tx(f"h{i}", 1, i % 50, t0 + timedelta(seconds=30 * i), 10.0 + i % 7))
        customer = state._customers[1]
        for name, value in list(vars(customer).items()):
            if isinstance(value, list):
                setattr(customer, name, _CountingList(value))
        _CountingList.reads = 0
        state.update(_tx("probe", 1, 0, t0 + timedelta(seconds=30 * history), 1.0))
        reads[history] = _CountingList.reads
    assert reads[5000] <= reads[10] + 4 * 12  # log2 growth of four binary searches, not 5,000 reads
