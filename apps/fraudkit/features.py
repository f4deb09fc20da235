"""The Handbook's 15 baseline features (BaselineFeatureTransformation), computed in batch for training.

Stream order is the table's order (time, then transaction id). The same definitions are computed online,
one transaction at a time, by ``fraudkit.state.OnlineFeatureState``; a test checks both agree to 1e-9.

- customer windows of 1/7/30 days include the current transaction and the customer's earlier ones
  (in stream order) with time > t - window;
- terminal windows are shifted back by the delay: transactions with t - (delay + window) < time <= t - delay,
  risk = frauds / transactions there (0 when there are none).
"""

from __future__ import annotations

import numpy as np

from fraudkit.simulator import SECONDS_PER_DAY, TransactionTable

WINDOWS_DAYS: tuple[int, ...] = (1, 7, 30)
DELAY_DAYS = 7
NIGHT_LAST_HOUR = 6  # the book's TX_DURING_NIGHT is hour <= 6


def feature_names(windows: tuple[int, ...] = WINDOWS_DAYS) -> list[str]:
    """The feature names in column order, spelled as in the book."""
    names = ["TX_AMOUNT", "TX_DURING_WEEKEND", "TX_DURING_NIGHT"]
    for w in windows:
        names += [f"CUSTOMER_ID_NB_TX_{w}DAY_WINDOW", f"CUSTOMER_ID_AVG_AMOUNT_{w}DAY_WINDOW"]
    for w in windows:
        names += [f"TERMINAL_ID_NB_TX_{w}DAY_WINDOW", f"TERMINAL_ID_RISK_{w}DAY_WINDOW"]
    return names


FEATURE_NAMES: list[str] = feature_names()


def epoch_seconds(tx_datetime: np.ndarray) -> np.ndarray:
    """datetime64 values as float seconds since 1970-01-01 (the time unit of the online state too)."""
    return tx_datetime.astype("datetime64[s]").astype(np.int64).astype(np.float64)


def calendar_flags(tx_datetime: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(during weekend, during night) as 0/1 floats."""
    days = tx_datetime.astype("datetime64[D]")
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    hour = (tx_datetime.astype("datetime64[h]") - days.astype("datetime64[h]")).astype(np.int64)
    return (weekday >= 5).astype(np.float64), (hour <= NIGHT_LAST_HOUR).astype(np.float64)


def _group_keys(group: np.ndarray, seconds: np.ndarray, pad_days: int) -> np.ndarray:
    """Keys that sort by (group, time) and keep any window search inside its group."""
    pad = float(pad_days * SECONDS_PER_DAY)
    rel = seconds - seconds.min() + pad
    return group.astype(np.float64) * (rel.max() + pad) + rel


def customer_window_features(
    customer_id: np.ndarray, seconds: np.ndarray, amount: np.ndarray, windows: tuple[int, ...]
) -> np.ndarray:
    """Per window: the customer's transaction count and mean amount, current transaction included."""
    n = customer_id.shape[0]
    out = np.zeros((n, 2 * len(windows)))
    if n == 0:
        return out
    order = np.lexsort((np.arange(n), seconds, customer_id))  # stream order inside each customer
    keys = _group_keys(customer_id[order], seconds[order], max(windows) + 1)
    amounts = amount[order]
    rank = np.arange(n)
    for j, w in enumerate(windows):
        first = np.searchsorted(keys, keys - w * SECONDS_PER_DAY, side="right")
        count = rank - first + 1
        # Direct sums (not cumulative-sum differences) keep the rounding error far below 1e-9.
        total = amounts.copy()
        active = np.nonzero(count > 1)[0]
        back = 1
        while active.size:
            total[active] += amounts[active - back]
            back += 1
            active = active[count[active] > back]
        out[order, 2 * j] = count
        out[order, 2 * j + 1] = total / count
    return out


def terminal_window_features(
    terminal_id: np.ndarray, seconds: np.ndarray, fraud: np.ndarray, windows: tuple[int, ...], delay_days: int
) -> np.ndarray:
    """Per window: the terminal's transaction count and fraud risk over the window shifted back by the delay."""
    n = terminal_id.shape[0]
    out = np.zeros((n, 2 * len(windows)))
    if n == 0:
        return out
    order = np.lexsort((seconds, terminal_id))
    keys = _group_keys(terminal_id[order], seconds[order], delay_days + max(windows) + 1)
    frauds_before = np.concatenate(([0], np.cumsum(fraud[order].astype(np.int64))))
    end = np.searchsorted(keys, keys - delay_days * SECONDS_PER_DAY, side="right")
    for j, w in enumerate(windows):
        start = np.searchsorted(keys, keys - (delay_days + w) * SECONDS_PER_DAY, side="right")
        count = end - start
        frauds = frauds_before[end] - frauds_before[start]
        out[order, 2 * j] = count
        out[order, 2 * j + 1] = np.divide(frauds, count, out=np.zeros(n), where=count > 0)
    return out


class BaselineFeatures:
    """The 15-feature transformation as a scikit-learn style step (stateless: ``fit`` only records names).

    ``transform`` takes a whole ``TransactionTable`` sorted by time and uses its labels for terminal risk,
    as the book does on historical data; serving uses ``OnlineFeatureState`` instead.
    """

    def __init__(self, windows: tuple[int, ...] = WINDOWS_DAYS, delay_days: int = DELAY_DAYS) -> None:
        self.windows = windows
        self.delay_days = delay_days

    def fit(self, table: TransactionTable, y: object = None) -> BaselineFeatures:
        """Records the output feature names; returns self."""
        self.feature_names_ = feature_names(self.windows)
        return self

    def transform(self, table: TransactionTable) -> np.ndarray:
        """An (n, 15) float64 matrix in ``feature_names_`` order."""
        seconds = epoch_seconds(table.tx_datetime)
        if seconds.size > 1 and np.any(np.diff(seconds) < 0):
            raise ValueError("transactions must be sorted by time")
        weekend, night = calendar_flags(table.tx_datetime)
        return np.column_stack(
            [
                table.tx_amount.astype(np.float64),
                weekend,
                night,
                customer_window_features(table.customer_id, seconds, table.tx_amount, self.windows),
                terminal_window_features(table.terminal_id, seconds, table.tx_fraud, self.windows, self.delay_days),
            ]
        )

    def fit_transform(self, table: TransactionTable, y: object = None) -> np.ndarray:
        """``fit`` then ``transform``."""
        return self.fit(table).transform(table)


def previous_rows(customer_id: np.ndarray, seconds: np.ndarray, k: int) -> np.ndarray:
    """(n, k) row indices of each transaction's k previous transactions of the same customer, oldest first;
    -1 where the customer has fewer. Used to build the sequences the sequence models train on."""
    n = customer_id.shape[0]
    out = np.full((n, k), -1, dtype=np.int64)
    order = np.lexsort((np.arange(n), seconds, customer_id))
    cust = customer_id[order]
    for back in range(1, k + 1):
        same = np.zeros(n, dtype=bool)
        same[back:] = cust[back:] == cust[:-back]
        prev = np.full(n, -1, dtype=np.int64)
        prev[back:] = order[:-back]
        out[order, k - back] = np.where(same, prev, -1)
    return out


EXTRA_FEATURE_NAMES: list[str] = [
    "AMOUNT_TO_CUSTOMER_AVG_7DAY",
    "AMOUNT_TO_CUSTOMER_AVG_30DAY",
    "CUSTOMER_AVG_1DAY_TO_30DAY",
]
"""Ratios derived from the 15 features (so the online state serves them too): how unusual the amount is
for this customer, which the book's compromised-card scenario (amounts x5) makes the key signal."""


def extended_feature_names(base: list[str] | None = None) -> list[str]:
    """The 15 names followed by the derived ratios."""
    return list(base or FEATURE_NAMES) + EXTRA_FEATURE_NAMES


def extend_features(X: np.ndarray) -> np.ndarray:
    """Appends the derived ratios to (n, 15) baseline features (a ratio with a zero average is 1)."""
    X = np.asarray(X, dtype=np.float64)
    col = FEATURE_NAMES.index

    def ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
        return np.divide(num, den, out=np.ones_like(num), where=den > 0)

    amount = X[:, col("TX_AMOUNT")]
    avg1 = X[:, col("CUSTOMER_ID_AVG_AMOUNT_1DAY_WINDOW")]
    avg7 = X[:, col("CUSTOMER_ID_AVG_AMOUNT_7DAY_WINDOW")]
    avg30 = X[:, col("CUSTOMER_ID_AVG_AMOUNT_30DAY_WINDOW")]
    return np.column_stack([X, ratio(amount, avg7), ratio(amount, avg30), ratio(avg1, avg30)])
