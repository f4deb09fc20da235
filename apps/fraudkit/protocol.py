"""The Handbook's prequential protocol (Chapter 5): train block, 7-day delay, 7-day test week, 4 folds
each shifted back one week, known-compromised cards removed from the test days.

Test folds: test weeks 2018-08-08 .. 2018-09-04 (fold 0 is the latest); validation folds (for choosing
hyperparameters): the same shape two weeks earlier, so they never look at a test week's labels.
The train block may be longer than the book's 7 days (``train_days``); the test set does not change,
because known-compromised cards always come from the book's 7-day block before the delay.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from fraudkit.metrics import auc_roc, average_precision, card_precision_at_k
from fraudkit.simulator import TransactionTable

BOOK_TRAIN_DAYS = 7
DELAY_DAYS = 7
TEST_DAYS = 7
N_FOLDS = 4
LATEST_TEST_START = date(2018, 8, 29)  # the fourth test week of the book: 08-29 .. 09-04
METRIC_NAMES = ("auc_roc", "average_precision", "card_precision_at_100")


@dataclass(frozen=True)
class Fold:
    """One prequential fold: [train_start, delay_start) train, [delay_start, test_start) delay, then test."""

    test_start: date
    train_days: int = BOOK_TRAIN_DAYS
    delay_days: int = DELAY_DAYS
    test_days: int = TEST_DAYS

    @property
    def delay_start(self) -> date:
        """First day of the delay period (= day after the train block)."""
        return self.test_start - timedelta(days=self.delay_days)

    @property
    def train_start(self) -> date:
        """First day of the train block."""
        return self.delay_start - timedelta(days=self.train_days)

    @property
    def test_end(self) -> date:
        """Day after the last test day."""
        return self.test_start + timedelta(days=self.test_days)

    def describe(self) -> dict[str, str]:
        """Inclusive ISO dates of the fold's blocks (for metrics.json)."""
        last = timedelta(days=1)
        return {
            "train": f"{self.train_start} .. {self.delay_start - last}",
            "delay": f"{self.delay_start} .. {self.test_start - last}",
            "test": f"{self.test_start} .. {self.test_end - last}",
        }


def folds(
    latest_test_start: date = LATEST_TEST_START, n_folds: int = N_FOLDS, train_days: int = BOOK_TRAIN_DAYS
) -> list[Fold]:
    """n_folds folds, the first with its test week at latest_test_start, each next one a week earlier."""
    return [Fold(latest_test_start - timedelta(days=TEST_DAYS * k), train_days=train_days) for k in range(n_folds)]


def assessment_folds(train_days: int = BOOK_TRAIN_DAYS) -> list[Fold]:
    """The book's four test folds (test weeks 2018-08-08 .. 2018-09-04)."""
    return folds(LATEST_TEST_START, train_days=train_days)


def validation_folds(train_days: int = BOOK_TRAIN_DAYS) -> list[Fold]:
    """The book's four validation folds (test weeks 2018-07-25 .. 2018-08-21), for model selection."""
    return folds(LATEST_TEST_START - timedelta(days=DELAY_DAYS + TEST_DAYS), train_days=train_days)


def _day(d: date) -> np.datetime64:
    return np.datetime64(d.isoformat(), "s")


def fold_rows(table: TransactionTable, fold: Fold) -> tuple[np.ndarray, np.ndarray]:
    """(train rows, test rows) of ``table`` for a fold; test rows exclude cards known to be compromised."""
    when = table.tx_datetime
    train = np.nonzero((when >= _day(fold.train_start)) & (when < _day(fold.delay_start)))[0]
    book_block_start = fold.delay_start - timedelta(days=BOOK_TRAIN_DAYS)
    test_parts = []
    for d in range(fold.test_days):
        day = fold.test_start + timedelta(days=d)
        # Frauds known by this test day: the book's train block and the delay days before day - delay.
        known_window = (when >= _day(book_block_start)) & (when < _day(fold.delay_start + timedelta(days=d)))
        known = np.unique(table.customer_id[known_window & (table.tx_fraud == 1)])
        on_day = (when >= _day(day)) & (when < _day(day + timedelta(days=1)))
        rows = np.nonzero(on_day)[0]
        test_parts.append(rows[~np.isin(table.customer_id[rows], known)])
    return train, np.concatenate(test_parts)


def score_fold(table: TransactionTable, test_rows: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    """The three metrics of one fold's test rows."""
    y = table.tx_fraud[test_rows]
    days = table.tx_datetime[test_rows].astype("datetime64[D]")
    return {
        "auc_roc": auc_roc(y, scores),
        "average_precision": average_precision(y, scores),
        "card_precision_at_100": card_precision_at_k(days, table.customer_id[test_rows], y, scores, 100),
    }


def summarise(per_fold: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    """Mean and (sample, as pandas') std over folds of each metric, rounded to 4 decimals."""
    out: dict[str, dict[str, float]] = {}
    for name in METRIC_NAMES:
        values = np.array([f[name] for f in per_fold], dtype=np.float64)
        std = float(values.std(ddof=1)) if values.shape[0] > 1 else 0.0
        out[name] = {"mean": round(float(values.mean()), 4), "std": round(std, 4)}
    return out


def describe_protocol(fold_list: list[Fold], **extra: Any) -> dict[str, Any]:
    """The protocol block of metrics.json: block lengths and every fold's dates."""
    first = fold_list[0]
    return {
        "name": "prequential (Fraud Detection Handbook, chapter 5)",
        "train_days": first.train_days,
        "delay_days": first.delay_days,
        "test_days": first.test_days,
        "n_folds": len(fold_list),
        "known_compromised_cards_removed": True,
        "folds": [f.describe() for f in fold_list],
        **extra,
    }
