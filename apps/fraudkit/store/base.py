"""The state-store interface the scorers use."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

from fraudkit.records import LabelledTransaction, Transaction
from fraudkit.state import StateUpdate
from fraudkit.store.errors import StoreUnavailable

__all__ = ["StateStore", "StoreUnavailable"]


class StateStore(ABC):
    """Customer and terminal history behind the scorers (see ``fraudkit.state`` for the semantics)."""

    windows: tuple[int, ...]
    delay_days: int
    history_k: int
    feature_names: list[str]

    @abstractmethod
    def score(self, transactions: Sequence[Transaction]) -> list[StateUpdate]:
        """Features (and previous vectors) of each transaction, each added to the history after its features
        are taken, all of them atomically; a transaction id seen before is not added again."""

    @abstractmethod
    def label(self, labelled: Sequence[LabelledTransaction]) -> list[str]:
        """Records confirmed labels; per label ``fraudkit.state.ACCEPTED`` or the reason it was rejected."""

    @abstractmethod
    def limits(self) -> dict[str, Any]:
        """Bounds and sizes for /model-info."""

    @abstractmethod
    def describe(self) -> str:
        """The store's name for /health and errors (never a credential)."""

    def check(self) -> None:  # noqa: B027 (a store that is always reachable keeps this)
        """Raises ``StoreUnavailable`` when the store cannot serve (the in-process one always can)."""

    def close(self) -> None:  # noqa: B027 (a store without connections keeps this)
        """Releases connections and background work."""
