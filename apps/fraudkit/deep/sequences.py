"""Transaction sequences for the sequence models (Handbook chapter 7).

A transaction is scored from its own feature vector and the vectors of the same customer's previous
transactions: a window of `seq_len` rows, oldest first, the current transaction last. Customers with a
shorter history get zero rows in front and a mask of 0 there, so the networks can tell padding from data.
Pure NumPy: used by training (batch) and by serving (one window per scored transaction).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from numpy.typing import NDArray

from fraudkit.features import previous_rows

PAD = -1
"""Index value marking a padded (missing) history position (as `previous_rows` returns)."""


def window_index(customer_ids: NDArray[np.int64], seconds: NDArray[np.float64], seq_len: int) -> NDArray[np.int64]:
    """Row indices of each transaction's window: shape (n, seq_len), oldest first, the row itself last,
    PAD where the customer has no earlier transaction (stream order: time, then row order)."""
    if seq_len < 1:
        raise ValueError("seq_len must be at least 1")
    n = customer_ids.shape[0]
    previous = previous_rows(customer_ids, seconds, seq_len - 1)
    return np.concatenate([previous, np.arange(n, dtype=np.int64)[:, None]], axis=1)


def gather_windows(
    features: NDArray[np.floating], index: NDArray[np.int64]
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """Windows (n, seq_len, n_features) and mask (n, seq_len) for the rows of `index`; padded rows are zeros."""
    padded = np.vstack([features.astype(np.float32), np.zeros((1, features.shape[1]), dtype=np.float32)])
    # PAD (-1) picks the extra zero row appended last.
    windows = padded[index]
    mask = (index != PAD).astype(np.float32)
    return windows, mask


def window_from_history(
    history: Sequence[Sequence[float]], current: Sequence[float], seq_len: int
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """One serving window: the customer's previous vectors (oldest first) then the current one."""
    previous = list(history)[-(seq_len - 1) :] if seq_len > 1 else []
    rows = [*previous, current]
    n_features = len(current)
    window = np.zeros((seq_len, n_features), dtype=np.float32)
    mask = np.zeros(seq_len, dtype=np.float32)
    start = seq_len - len(rows)
    window[start:] = np.asarray(rows, dtype=np.float32)
    mask[start:] = 1.0
    return window, mask
