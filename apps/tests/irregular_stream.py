"""A stream that is hard on prefix sums: transactions out of time order, several in the same second, amounts
with sub-cent parts, zero and large amounts, histories longer than the window (so the oldest are pruned);
and the customer features it must give, by direct sums over what the state keeps."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import numpy as np

from fraudkit.features import WINDOWS_DAYS
from fraudkit.records import Transaction
from fraudkit.simulator import SECONDS_PER_DAY
from fraudkit.state import to_epoch_seconds

T0 = datetime(2018, 4, 1)


def irregular_stream(seed: int = 0, count: int = 600, customers: int = 3) -> list[Transaction]:
    """``count`` transactions over ~80 days in arrival order (not time order)."""
    rng = random.Random(seed)
    seconds = sorted(rng.uniform(0, 80 * SECONDS_PER_DAY) for _ in range(count))
    out = []
    for i, s in enumerate(seconds):
        if i and rng.random() < 0.15:
            s = seconds[i - 1]  # the same second as the one before
        s -= rng.choice([0, 0, 0, rng.uniform(0, 3 * SECONDS_PER_DAY)])  # some arrive late
        amount = rng.choice(
            [round(rng.uniform(1, 200), 2), round(rng.uniform(1, 200), 2) * 5, rng.uniform(0, 500), 0.0, 98765.4321]
        )
        when = T0 + timedelta(seconds=int(s))
        out.append(Transaction(f"irr|{i}", rng.randrange(customers), rng.randrange(5), when, amount))
    return out


def reference_customer_features(stream: list[Transaction], windows: tuple[int, ...] = WINDOWS_DAYS) -> np.ndarray:
    """(n, 2 * len(windows)) count and mean per window, summed directly over the customer's kept transactions
    (those after the latest time minus the longest window, as the state prunes), in arrival order."""
    kept: dict[int, list[tuple[float, float]]] = {}
    latest = float("-inf")
    rows = []
    for tx in stream:
        t = to_epoch_seconds(tx.tx_datetime)
        history = kept.setdefault(tx.customer_id, [])
        row = []
        for w in windows:
            inside = [a for s, a in history if t - w * SECONDS_PER_DAY < s <= t]
            row += [len(inside) + 1, (tx.tx_amount + sum(inside)) / (len(inside) + 1)]
        rows.append(row)
        history.append((t, tx.tx_amount))
        latest = max(latest, t)
        kept[tx.customer_id] = [(s, a) for s, a in history if s > latest - max(windows) * SECONDS_PER_DAY]
    return np.array(rows)
