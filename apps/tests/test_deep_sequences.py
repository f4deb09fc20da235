"""Sequence windows: batch windows (training) and windows from the online state (serving) agree."""

from __future__ import annotations

import numpy as np
import pytest

from fraudkit.deep.sequences import PAD, gather_windows, window_from_history, window_index
from fraudkit.features import BaselineFeatures, epoch_seconds
from fraudkit.simulator import SimulatorConfig, simulate
from fraudkit.state import snapshot_from_table
from fraudkit.stream import transactions_of

SEQ_LEN = 4


def naive_windows(customers: np.ndarray, seq_len: int) -> np.ndarray:
    """The definition, one row at a time: earlier rows of the same customer, oldest first, self last."""
    out = np.full((customers.shape[0], seq_len), PAD)
    for i, c in enumerate(customers):
        rows = [j for j in range(i + 1) if customers[j] == c][-seq_len:]
        out[i, seq_len - len(rows) :] = rows
    return out


def test_window_index_matches_the_definition() -> None:
    rng = np.random.default_rng(0)
    customers = rng.integers(0, 7, size=200)
    seconds = np.arange(200, dtype=np.float64)
    np.testing.assert_array_equal(window_index(customers, seconds, SEQ_LEN), naive_windows(customers, SEQ_LEN))


def test_window_index_of_length_one_is_the_row_itself() -> None:
    customers = np.array([3, 3, 1])
    np.testing.assert_array_equal(window_index(customers, np.arange(3.0), 1), [[0], [1], [2]])
    with pytest.raises(ValueError):
        window_index(customers, np.arange(3.0), 0)


def test_gather_windows_zeroes_padding_and_masks_it() -> None:
    features = np.arange(12, dtype=np.float64).reshape(4, 3) + 1
    windows, mask = gather_windows(features, np.array([[PAD, 0, 2], [PAD, PAD, 3]]))
    np.testing.assert_array_equal(mask, [[0, 1, 1], [0, 0, 1]])
    np.testing.assert_array_equal(windows[0], [[0, 0, 0], features[0], features[2]])
    np.testing.assert_array_equal(windows[1, 2], features[3])
    assert not windows[1, :2].any()


def test_window_from_history_keeps_the_latest_and_pads_in_front() -> None:
    history = [[1.0, 1.0], [2.0, 2.0], [3.0, 3.0], [4.0, 4.0]]
    window, mask = window_from_history(history, [9.0, 9.0], 3)
    np.testing.assert_array_equal(window, [[3, 3], [4, 4], [9, 9]])
    np.testing.assert_array_equal(mask, [1, 1, 1])
    window, mask = window_from_history([], [9.0, 9.0], 3)
    np.testing.assert_array_equal(mask, [0, 0, 1])
    np.testing.assert_array_equal(window[:2], 0)


def test_serving_windows_equal_training_windows() -> None:
    """Scoring a stream through the state's history gives the windows training built in batch."""
    table = simulate(SimulatorConfig.small())
    features = BaselineFeatures().fit_transform(table)
    windows, mask = gather_windows(features, window_index(table.customer_id, epoch_seconds(table.tx_datetime), SEQ_LEN))
    cut = len(table) // 2
    state = snapshot_from_table(table.select(np.arange(cut)), features[:cut], history_k=SEQ_LEN - 1)
    for row, tx in zip(range(cut, cut + 300), transactions_of(table.select(np.arange(cut, cut + 300)))):
        update = state.update(tx)
        served, served_mask = window_from_history(update.previous, update.features, SEQ_LEN)
        np.testing.assert_array_equal(served_mask, mask[row])
        np.testing.assert_allclose(served, windows[row], rtol=1e-6, atol=1e-6)
