"""Typed records that cross the boundary between the HTTP layer and the models.

The serving layer validates JSON into these records; the scorer never sees raw JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, Sequence


@dataclass(frozen=True)
class Transaction:
    """One raw card transaction, as a payment system would send it."""

    transaction_id: str
    customer_id: int
    terminal_id: int
    tx_datetime: datetime
    tx_amount: float


@dataclass(frozen=True)
class LabelledTransaction(Transaction):
    """A transaction whose fraud label has been confirmed (sent to /feedback)."""

    is_fraud: bool = False


@dataclass(frozen=True)
class Reason:
    """One feature's contribution to a score (sign: towards fraud when positive)."""

    feature: str
    contribution: float


@dataclass(frozen=True)
class Prediction:
    """The model's answer for one transaction."""

    transaction_id: str
    fraud_probability: float
    is_fraud: bool
    reasons: list[Reason] = field(default_factory=list)


class Scorer(Protocol):
    """A loaded model plus the customer/terminal state it needs to score raw transactions.

    Implementations must be safe to call from several threads (gunicorn threads).
    """

    name: str
    version: str
    family: str
    threshold: float
    feature_names: list[str]

    def info(self) -> dict[str, Any]:
        """Everything /model-info returns: family, features, training metrics, threshold, state limits."""
        ...

    def predict(self, transactions: Sequence[Transaction]) -> list[Prediction]:
        """Scores raw transactions in order, adding each to the state as it is scored."""
        ...

    def predict_features(self, ids: Sequence[str], rows: Sequence[Sequence[float]]) -> list[Prediction]:
        """Scores ready feature vectors (len(feature_names) floats each); the state is not touched."""
        ...

    def feedback(self, labelled: Sequence[LabelledTransaction]) -> int:
        """Records confirmed labels; returns how many were applied."""
        ...


class ScorerLoader(Protocol):
    """Builds a Scorer from an app folder (its manifest and model/ artifacts)."""

    def __call__(self, app_dir: Path) -> Scorer: ...
