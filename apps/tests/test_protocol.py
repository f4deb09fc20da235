"""The prequential protocol's dates and the removal of known-compromised cards."""

from __future__ import annotations

from datetime import date

import numpy as np

from fraudkit.protocol import Fold, assessment_folds, fold_rows, summarise, validation_folds
from fraudkit.simulator import TransactionTable


def test_assessment_folds_are_the_books_test_weeks():
    folds = assessment_folds()
    assert [f.test_start for f in folds] == [date(2018, 8, 29), date(2018, 8, 22), date(2018, 8, 15), date(2018, 8, 8)]
    oldest = folds[-1].describe()
    assert oldest == {
        "train": "2018-07-25 .. 2018-07-31",
        "delay": "2018-08-01 .. 2018-08-07",
        "test": "2018-08-08 .. 2018-08-14",
    }
    assert folds[0].describe()["test"] == "2018-08-29 .. 2018-09-04"


def test_validation_folds_end_before_the_first_test_week_labels():
    valid = validation_folds()
    assert max(f.test_end for f in valid) <= assessment_folds()[0].delay_start
    assert valid[0].test_start == date(2018, 8, 15)


def test_longer_train_block_keeps_the_delay_and_test_week():
    fold = Fold(date(2018, 8, 29), train_days=28)
    assert fold.train_start == date(2018, 7, 25) and fold.delay_start == date(2018, 8, 22)


def _table(rows):
    """A table from (iso datetime, customer, fraud) rows."""
    when = np.array([np.datetime64(r[0], "s") for r in rows])
    n = len(rows)
    return TransactionTable(
        transaction_id=np.arange(n),
        tx_datetime=when,
        customer_id=np.array([r[1] for r in rows]),
        terminal_id=np.zeros(n, dtype=np.int64),
        tx_amount=np.ones(n),
        tx_time_seconds=np.zeros(n, dtype=np.int64),
        tx_time_days=np.zeros(n, dtype=np.int64),
        tx_fraud=np.array([r[2] for r in rows], dtype=np.int8),
        tx_fraud_scenario=np.array([r[2] for r in rows], dtype=np.int8),
    )


def test_known_compromised_cards_leave_the_test_set():
    fold = Fold(date(2018, 8, 15))  # train 08-01..07, delay 08-08..14, test 08-15..21
    table = _table(
        [
            ("2018-07-20T10:00:00", 9, 1),  # before the train block: not known
            ("2018-08-02T10:00:00", 1, 1),  # fraud in train: card 1 known from the first test day
            ("2018-08-03T10:00:00", 2, 0),
            ("2018-08-09T10:00:00", 3, 1),  # fraud on delay day 2: known from test day 3 on (08-17)
            ("2018-08-15T10:00:00", 1, 1),  # removed
            ("2018-08-15T11:00:00", 3, 1),  # kept: not yet known on 08-15
            ("2018-08-15T12:00:00", 9, 1),  # kept
            ("2018-08-17T10:00:00", 3, 0),  # removed: known by 08-17
            ("2018-08-20T10:00:00", 2, 0),  # kept
        ]
    )
    train, test = fold_rows(table, fold)
    np.testing.assert_array_equal(train, [1, 2])
    np.testing.assert_array_equal(test, [5, 6, 8])


def test_summary_is_mean_and_sample_std():
    per_fold = [{"auc_roc": a, "average_precision": 0.5, "card_precision_at_100": 0.3} for a in (0.8, 0.9)]
    summary = summarise(per_fold)
    assert summary["auc_roc"] == {"mean": 0.85, "std": round(float(np.std([0.8, 0.9], ddof=1)), 4)}
    assert summary["average_precision"]["std"] == 0.0
