"""Quality goals per model family, in one place: the Handbook's published results, and the AP each app must reach.

Read by the app contract tests (``metrics.json`` must meet the goal) and by the README's comparison table.
"""

from __future__ import annotations

AP_GOALS: dict[str, float] = {
    "logistic-regression": 0.62,
    "xgboost": 0.69,
    "lightgbm": 0.69,
    "stacking": 0.70,
    "cnn": 0.67,
    "lstm": 0.67,
    "transformer": 0.67,
    "stacking-dl": 0.70,
}
"""Minimum mean average precision over the prequential test folds, by manifest ``model_family``."""

BOOK_AP: dict[str, float] = {
    "logistic-regression": 0.623,
    "xgboost": 0.687,
    "cnn": 0.599,
    "lstm": 0.665,
    "lstm-attention": 0.667,
}
"""The Fraud Detection Handbook's prequential test AP for the families it reports (shared/ANCHORS.md)."""
