"""The simulator against the Handbook's figures (ANCHORS.md) and its own invariants."""

from __future__ import annotations

import numpy as np
import pytest

from fraudkit.simulator import (
    SCENARIO_AMOUNT,
    SCENARIO_CUSTOMER,
    SCENARIO_TERMINAL,
    SECONDS_PER_DAY,
    SimulatorConfig,
    generate_profiles,
    simulate,
)

BOOK_TRANSACTIONS = 1_754_155
BOOK_FRAUDS = 14_681
# The book's printed counts of new frauds per scenario (1: amount, 2: terminal, 3: customer).
BOOK_SCENARIO_FRAUDS = {SCENARIO_AMOUNT: 978, SCENARIO_TERMINAL: 9_099, SCENARIO_CUSTOMER: 4_604}


@pytest.fixture(scope="module")
def small():
    return simulate(SimulatorConfig.small())


@pytest.fixture(scope="module")
def full():
    return simulate(SimulatorConfig())


def test_same_seeds_give_the_same_world(small):
    again = simulate(SimulatorConfig.small())
    for name in ("tx_datetime", "customer_id", "terminal_id", "tx_amount", "tx_fraud", "tx_fraud_scenario"):
        np.testing.assert_array_equal(getattr(small, name), getattr(again, name))


def test_another_transaction_seed_gives_another_world(small):
    other = simulate(SimulatorConfig.small(transaction_seed=99))
    assert len(other) != len(small) or not np.array_equal(other.tx_amount, small.tx_amount)


def test_rows_are_time_ordered_with_ids_in_order(small):
    assert np.all(np.diff(small.tx_datetime.astype(np.int64)) >= 0)
    np.testing.assert_array_equal(small.transaction_id, np.arange(len(small)))
    time_of_day = small.tx_time_seconds % SECONDS_PER_DAY
    assert time_of_day.min() > 0 and time_of_day.max() < SECONDS_PER_DAY
    assert small.tx_datetime[0] >= np.datetime64("2018-04-01")
    assert small.tx_time_days.max() < SimulatorConfig.small().nb_days


def test_customers_use_only_terminals_in_reach(small):
    config = SimulatorConfig.small()
    profiles = generate_profiles(config)
    distance = np.linalg.norm(profiles.customer_xy[small.customer_id] - profiles.terminal_xy[small.terminal_id], axis=1)
    assert distance.max() < config.radius


def test_amounts_are_non_negative_and_only_frauds_exceed_the_threshold(small):
    assert small.tx_amount.min() >= 0
    assert np.all(small.tx_fraud[small.tx_amount > 220] == 1)
    legit = small.tx_fraud_scenario == 0
    np.testing.assert_allclose(small.tx_amount[legit], np.round(small.tx_amount[legit], 2))


def test_labels_agree_with_scenarios_and_all_three_occur(small):
    np.testing.assert_array_equal(small.tx_fraud == 1, small.tx_fraud_scenario > 0)
    assert set(np.unique(small.tx_fraud_scenario).tolist()) == {0, 1, 2, 3}


def test_profiles_are_the_books(small):
    profiles = generate_profiles(SimulatorConfig())
    # The book's first customer (seed 0): x=54.88, y=71.52, mean_amount=62.26, mean_nb_tx_per_day=2.18.
    np.testing.assert_allclose(profiles.customer_xy[0], [54.881350, 71.518937], atol=1e-5)
    assert profiles.mean_amount[0] == pytest.approx(62.262521, abs=1e-5)
    assert profiles.mean_nb_tx_per_day[0] == pytest.approx(2.179533, abs=1e-5)


def test_full_world_matches_the_book(full):
    n = len(full)
    frauds = int(full.tx_fraud.sum())
    assert abs(n - BOOK_TRANSACTIONS) / BOOK_TRANSACTIONS < 0.01
    assert abs(frauds / n - BOOK_FRAUDS / BOOK_TRANSACTIONS) < 0.0005
    counts = np.bincount(full.tx_fraud_scenario, minlength=4)
    for scenario, book in BOOK_SCENARIO_FRAUDS.items():
        assert abs(counts[scenario] / frauds - book / BOOK_FRAUDS) < 0.02, scenario
    # About 10k transactions and 80 compromised cards a day, as the book reports.
    per_day = np.bincount(full.tx_time_days)
    assert 9_000 < per_day.mean() < 10_500
    cards_per_day = [
        np.unique(full.customer_id[(full.tx_time_days == d) & (full.tx_fraud == 1)]).size for d in (60, 90, 120)
    ]
    assert 50 < np.mean(cards_per_day) < 110
