"""Batch features against a direct, row-by-row reading of the Handbook's definitions."""

from __future__ import annotations

import numpy as np
import pytest

from fraudkit.features import FEATURE_NAMES, BaselineFeatures, epoch_seconds, previous_rows
from fraudkit.simulator import SECONDS_PER_DAY, SimulatorConfig, simulate

DAY = SECONDS_PER_DAY


@pytest.fixture(scope="module")
def world():
    table = simulate(SimulatorConfig.small(nb_days=45))
    return table, BaselineFeatures().fit_transform(table)


def reference_row(table, i):
    """The 15 features of row i, computed naively from their definitions."""
    t = epoch_seconds(table.tx_datetime)
    when = table.tx_datetime[i].astype("datetime64[s]").item()
    out = [table.tx_amount[i], float(when.weekday() >= 5), float(when.hour <= 6)]
    same_customer = np.nonzero(table.customer_id[: i + 1] == table.customer_id[i])[0]
    for w in (1, 7, 30):
        rows = same_customer[t[same_customer] > t[i] - w * DAY]
        out += [len(rows), table.tx_amount[rows].mean()]
    same_terminal = table.terminal_id == table.terminal_id[i]
    for w in (1, 7, 30):
        in_window = same_terminal & (t > t[i] - (7 + w) * DAY) & (t <= t[i] - 7 * DAY)
        n = int(in_window.sum())
        out += [n, table.tx_fraud[in_window].sum() / n if n else 0.0]
    return np.array(out, dtype=np.float64)


def test_names_are_the_books_fifteen():
    assert len(FEATURE_NAMES) == 15
    assert FEATURE_NAMES[:3] == ["TX_AMOUNT", "TX_DURING_WEEKEND", "TX_DURING_NIGHT"]
    assert "TERMINAL_ID_RISK_30DAY_WINDOW" in FEATURE_NAMES
    assert BaselineFeatures().fit(None).feature_names_ == FEATURE_NAMES


def test_batch_features_match_the_definitions(world):
    table, features = world
    rows = np.random.default_rng(0).choice(len(table), size=300, replace=False)
    for i in rows:
        np.testing.assert_allclose(features[i], reference_row(table, i), rtol=0, atol=1e-9, err_msg=str(i))


def test_terminal_risk_sees_frauds_only_after_the_delay(world):
    table, features = world
    early = table.tx_datetime < np.datetime64("2018-04-08")
    risk_columns = [FEATURE_NAMES.index(f"TERMINAL_ID_RISK_{w}DAY_WINDOW") for w in (1, 7, 30)]
    assert np.all(features[early][:, risk_columns] == 0)
    assert features[~early][:, risk_columns].max() > 0


def test_unsorted_input_is_refused(world):
    table, _ = world
    with pytest.raises(ValueError, match="sorted"):
        BaselineFeatures().fit_transform(table.select(np.arange(len(table))[::-1]))


def test_previous_rows_are_the_customers_earlier_transactions(world):
    table, _ = world
    prev = previous_rows(table.customer_id, epoch_seconds(table.tx_datetime), 3)
    for i in np.random.default_rng(1).choice(len(table), size=200, replace=False):
        earlier = np.nonzero(table.customer_id[:i] == table.customer_id[i])[0][-3:]
        expected = np.concatenate([np.full(3 - earlier.size, -1), earlier])
        np.testing.assert_array_equal(prev[i], expected)
