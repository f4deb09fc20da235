"""AUC, AP and CP@k on hand-checked cases, and against scikit-learn when it is installed."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fraudkit.metrics import auc_roc, average_precision, card_precision_at_k


def test_auc_hand_cases():
    assert auc_roc(np.array([0, 0, 1, 1]), np.array([0.1, 0.2, 0.3, 0.4])) == 1.0
    assert auc_roc(np.array([0, 0, 1, 1]), np.array([0.4, 0.3, 0.2, 0.1])) == 0.0
    # One positive tied with one negative: half credit for that pair.
    assert auc_roc(np.array([0, 1, 0]), np.array([0.5, 0.5, 0.1])) == pytest.approx(0.75)
    assert math.isnan(auc_roc(np.array([1, 1]), np.array([0.1, 0.2])))


def test_ap_hand_cases():
    # Ranking: 1 (tp), 0, 1 (tp): AP = 0.5 * 1 + 0.5 * 2/3.
    assert average_precision(np.array([1, 0, 1]), np.array([0.9, 0.8, 0.7])) == pytest.approx(0.5 + 1 / 3)
    # All tied: one threshold, precision = prevalence.
    assert average_precision(np.array([1, 0, 0, 0]), np.full(4, 0.3)) == pytest.approx(0.25)


def test_against_scikit_learn():
    sk = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(0)
    y = (rng.random(5_000) < 0.05).astype(int)
    scores = np.round(rng.random(5_000) + y * 0.3, 2)  # rounded: many ties
    assert auc_roc(y, scores) == pytest.approx(sk.roc_auc_score(y, scores), abs=1e-12)
    assert average_precision(y, scores) == pytest.approx(sk.average_precision_score(y, scores), abs=1e-12)


def test_card_precision_groups_cards_and_drops_cards_detected_earlier():
    days = np.array([0, 0, 0, 1, 1, 1])
    cards = np.array([1, 1, 2, 1, 3, 4])
    y = np.array([0, 1, 0, 1, 0, 1])
    scores = np.array([0.9, 0.1, 0.5, 0.99, 0.2, 0.3])
    # Day 0: card 1 (max score 0.9, max label 1) first -> 1 hit of k=1. Day 1: card 1 already detected and
    # dropped, card 4 (0.3) beats card 3 (0.2) -> 1 hit.
    assert card_precision_at_k(days, cards, y, scores, k=1) == 1.0
    # k=2 divides by 2 even with fewer hits, as the book does.
    assert card_precision_at_k(days, cards, y, scores, k=2) == pytest.approx(0.5)
