"""The Handbook's threshold-free metrics in NumPy: AUC ROC, Average Precision, Card Precision@k.

AUC and AP follow scikit-learn's definitions (ties averaged for AUC; AP = sum (R_n - R_n-1) P_n over
distinct score thresholds); a test checks them against scikit-learn where it is installed.
"""

from __future__ import annotations

import numpy as np


def auc_roc(y_true: np.ndarray, scores: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney with average ranks for ties); nan with one class only."""
    y = np.asarray(y_true).astype(bool)
    s = np.asarray(scores, dtype=np.float64)
    n_pos = int(y.sum())
    n_neg = y.shape[0] - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    order = np.argsort(s, kind="mergesort")
    sorted_s = s[order]
    # Average rank (1-based) of each tie group.
    starts = np.concatenate(([0], np.nonzero(np.diff(sorted_s))[0] + 1))
    ends = np.concatenate((starts[1:], [s.shape[0]]))
    ranks = np.empty(s.shape[0])
    ranks[order] = np.repeat((starts + ends + 1) / 2.0, ends - starts)
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def average_precision(y_true: np.ndarray, scores: np.ndarray) -> float:
    """Average precision as scikit-learn computes it; nan without positives."""
    y = np.asarray(y_true).astype(np.float64)
    s = np.asarray(scores, dtype=np.float64)
    n_pos = y.sum()
    if n_pos == 0:
        return float("nan")
    order = np.argsort(-s, kind="mergesort")
    s, y = s[order], y[order]
    last_of_tie = np.concatenate((np.nonzero(np.diff(s))[0], [s.shape[0] - 1]))
    tp = np.cumsum(y)[last_of_tie]
    precision = tp / (last_of_tie + 1)
    recall_gain = np.diff(np.concatenate(([0.0], tp))) / n_pos
    return float(np.sum(recall_gain * precision))


def card_precision_at_k(
    days: np.ndarray, customer_id: np.ndarray, y_true: np.ndarray, scores: np.ndarray, k: int = 100
) -> float:
    """The book's CP@k: per day, each card's max score and max label, precision among the k top cards;
    cards found compromised on an earlier day are dropped from later days; mean over days."""
    days = np.asarray(days)
    detected: set[int] = set()
    per_day: list[float] = []
    for day in np.unique(days):
        on_day = days == day
        cards = customer_id[on_day]
        keep = ~np.isin(cards, np.fromiter(detected, dtype=np.int64, count=len(detected)))
        cards, labels, day_scores = cards[keep], y_true[on_day][keep], scores[on_day][keep]
        uniq, inverse = np.unique(cards, return_inverse=True)
        card_score = np.full(uniq.shape[0], -np.inf)
        np.maximum.at(card_score, inverse, day_scores)
        card_label = np.zeros(uniq.shape[0], dtype=np.int64)
        np.maximum.at(card_label, inverse, labels.astype(np.int64))
        top = np.lexsort((uniq, -card_score))[:k]  # ties broken by card id, for determinism
        hits = uniq[top][card_label[top] == 1]
        per_day.append(hits.shape[0] / k)
        detected.update(hits.tolist())
    return float(np.mean(per_day)) if per_day else float("nan")
