"""A test double of ``fraudkit.records.Scorer`` for the serving-layer tests (no model libraries needed).

Its score is a logistic curve of the amount, so tests can tell which transaction got which score.
"""

from __future__ import annotations

import math
import threading
from pathlib import Path
from typing import Any, Sequence

from fraudkit.records import LabelledTransaction, Prediction, Reason, Transaction

FEATURES = [f"F{i}" for i in range(15)]


def amount_score(amount: float) -> float:
    """The fake model: 0.5 at 100, near 1 above 200."""
    z = (amount - 100.0) / 20.0
    # Numerically stable for the huge values the fuzz tests send as ready features.
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


class FakeScorer:
    """Scores by amount, records every call; thread-safe like a real Scorer must be."""

    name = "fake-app"
    version = "test-1"
    family = "fake"
    threshold = 0.5
    feature_names = FEATURES

    def __init__(self, probability_override: float | None = None) -> None:
        self.scored: list[Transaction] = []
        self.labelled: list[LabelledTransaction] = []
        self.rows: list[list[float]] = []
        self._override = probability_override
        self._lock = threading.Lock()

    def _prediction(self, tx_id: str, amount: float) -> Prediction:
        p = amount_score(amount) if self._override is None else self._override
        return Prediction(tx_id, p, p >= self.threshold, [Reason("F0", round(p - 0.5, 6))])

    def info(self) -> dict[str, Any]:
        return {"family": self.family, "features": self.feature_names, "threshold": self.threshold}

    def predict(self, transactions: Sequence[Transaction]) -> list[Prediction]:
        with self._lock:
            self.scored.extend(transactions)
        return [self._prediction(t.transaction_id, t.tx_amount) for t in transactions]

    def predict_features(self, ids: Sequence[str], rows: Sequence[Sequence[float]]) -> list[Prediction]:
        with self._lock:
            self.rows.extend(list(r) for r in rows)
        return [self._prediction(i, r[0]) for i, r in zip(ids, rows)]

    def feedback(self, labelled: Sequence[LabelledTransaction]) -> int:
        with self._lock:
            self.labelled.extend(labelled)
        return len(labelled)


def fake_loader(app_dir: Path) -> FakeScorer:
    """A ScorerLoader that ignores the folder."""
    return FakeScorer()
