"""What the Scorers of every app share: the state snapshot's location, the artifact version hash, the top
reasons of a prediction and ``StatefulScorer`` (identity, threshold, online feature state, /model-info,
/feedback). The classic Scorer (``fraudkit.models.scorer``) and the deep one (``fraudkit.deep.scorer``)
subclass it; ``fraudkit.scorer.load_scorer`` picks between them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from fraudkit.records import LabelledTransaction, Reason
from fraudkit.state import ACCEPTED, OnlineFeatureState
from fraudkit.store.base import StateStore
from fraudkit.store.memory import MemoryStore

SHARED_STATE = Path(__file__).resolve().parent / "data" / "state.npz"
"""The snapshot of the simulated world at the end of the training data, used by every app that ships none."""

TOP_REASONS = 3
"""How many contributing features a prediction lists."""


def state_path(model_dir: Path) -> Path:
    """The app's own snapshot if it ships one, else the shared one."""
    own = model_dir / "state.npz"
    return own if own.is_file() else SHARED_STATE


def artifact_version(model_dir: Path, files: Sequence[str]) -> str:
    """A short content hash of the artifact files: changes exactly when the served model changes."""
    digest = hashlib.sha256()
    for name in files:
        digest.update((model_dir / name).read_bytes())
    return digest.hexdigest()[:12]


def top_reasons(contributions: np.ndarray, names: Sequence[str], top: int = TOP_REASONS) -> list[list[Reason]]:
    """Per row, the features pushing most towards fraud (positive contributions only), largest first."""
    contributions = np.asarray(contributions, dtype=np.float64)
    if contributions.shape[0] == 0:
        return []
    # One sort over the whole batch; ties keep the feature order (stable), as a per-row sort would.
    order = np.argsort(-contributions, axis=1, kind="stable")[:, :top]
    values = np.round(np.take_along_axis(contributions, order, axis=1), 6)
    return [
        [Reason(names[i], v) for i, v, raw in zip(row_order, row_values, row_raw) if raw > 0]
        for row_order, row_values, row_raw in zip(
            order.tolist(), values.tolist(), np.take_along_axis(contributions, order, axis=1).tolist()
        )
    ]


class StatefulScorer:
    """What every app's Scorer shares: its identity and threshold, the online feature state in its store
    (in the process, or shared by every process of the app), /model-info and the labels of /feedback.
    Subclasses add the model."""

    def __init__(
        self,
        name: str,
        version: str,
        family: str,
        threshold: float,
        state: OnlineFeatureState | StateStore,
        metrics: dict[str, Any],
    ) -> None:
        self.name = name
        self.version = version
        self.family = family
        self.threshold = float(threshold)
        self.store: StateStore = MemoryStore(state) if isinstance(state, OnlineFeatureState) else state
        self.feature_names = list(self.store.feature_names)  # what a ready vector must hold
        self._metrics = metrics

    def _model_info(self) -> dict[str, Any]:
        """What the subclass adds to /model-info about its model."""
        return {}

    def info(self) -> dict[str, Any]:
        """Family, features, threshold, the model's details, training metrics and the state's bounds."""
        limits = self.store.limits()
        return {
            "name": self.name,
            "version": self.version,
            "family": self.family,
            "features": self.feature_names,
            "threshold": self.threshold,
            **self._model_info(),
            "training_metrics": self._metrics,
            "state": limits,
        }

    def feedback(self, labelled: Sequence[LabelledTransaction]) -> int:
        """Records confirmed labels for the terminals' fraud risk (the state applies the 7-day delay);
        returns how many were accepted."""
        return sum(1 for verdict in self.store.label(labelled) if verdict == ACCEPTED)

    def feedback_verdicts(self, labelled: Sequence[LabelledTransaction]) -> list[str]:
        """Records confirmed labels; per label ``ACCEPTED`` or why it was rejected (``OnlineFeatureState.label``)."""
        return self.store.label(labelled)

    def check_store(self) -> None:
        """Raises ``StoreUnavailable`` when the state store cannot be reached."""
        self.store.check()


def read_json(path: Path) -> dict[str, Any]:
    """The JSON file's content, or an empty dict when there is no such file."""
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
