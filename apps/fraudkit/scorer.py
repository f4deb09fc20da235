"""The concrete Scorer of the classic apps (linear, trees, stacking), and ``load_scorer`` for every app.

A classic app's ``model/`` holds ``model.json`` (artifact kind + files), the artifact, ``serving.json``
(threshold, feature set) and ``metrics.json``. The state snapshot is ``model/state.npz`` when the app ships
its own, else the one shared by every app of the same world, ``fraudkit/data/state.npz``.
Deep apps (an ONNX network or a deep stack) are handed to ``fraudkit.deep``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from fraudkit.batching import MicroBatcher, wait_seconds_from_env
from fraudkit.features import extend_features, extended_feature_names
from fraudkit.models import DESCRIPTOR, PortableModel, load_model, sigmoid
from fraudkit.records import LabelledTransaction, Prediction, Reason, Scorer, Transaction
from fraudkit.state import ACCEPTED, OnlineFeatureState
from fraudkit.store import open_store
from fraudkit.store.base import StateStore
from fraudkit.store.memory import MemoryStore

SHARED_STATE = Path(__file__).resolve().parent / "data" / "state.npz"
"""The snapshot of the simulated world at the end of the training data, shared by the classic apps."""

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


class ClassicScorer(StatefulScorer):
    """A portable model (linear, trees, stacking) over the online feature state."""

    def __init__(
        self,
        name: str,
        family: str,
        model: PortableModel,
        state: OnlineFeatureState | StateStore,
        serving: dict[str, Any],
        metrics: dict[str, Any],
        version: str,
    ) -> None:
        super().__init__(name, version, family, float(serving["threshold"]), state, metrics)
        self.extended = bool(serving.get("extended_features", False))
        self.model_feature_names = extended_feature_names(self.feature_names) if self.extended else self.feature_names
        if model.n_features != len(self.model_feature_names):
            raise ValueError(
                f"model expects {model.n_features} features, the pipeline gives {len(self.model_feature_names)}"
            )
        self._model = model
        self._serving = serving
        # Concurrent requests' rows share one model call (rows are scored independently, so results are equal).
        self._batcher = MicroBatcher(self._model_outputs, wait_seconds_from_env())

    def _model_outputs(self, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
        (X,) = inputs
        return [sigmoid(self._model.logit(X)), self._model.contributions(X)]

    def _model_info(self) -> dict[str, Any]:
        return {
            "model_features": self.model_feature_names,
            "threshold_rule": self._serving.get("threshold_rule", ""),
            "training": self._serving.get("training", {}),
        }

    def _score(self, ids: Sequence[str], rows: np.ndarray) -> list[Prediction]:
        X = extend_features(rows) if self.extended else rows
        probabilities, contributions = self._batcher.run([X])
        reasons = top_reasons(contributions, self.model_feature_names)
        return [
            Prediction(tx_id, p, p >= self.threshold, r) for tx_id, p, r in zip(ids, probabilities.tolist(), reasons)
        ]

    def predict(self, transactions: Sequence[Transaction]) -> list[Prediction]:
        """Scores raw transactions in order, each added to the state after its features are taken."""
        rows = [update.features for update in self.store.score(transactions)]
        matrix = np.array(rows) if rows else np.zeros((0, len(self.feature_names)))
        return self._score([tx.transaction_id for tx in transactions], matrix)

    def predict_features(self, ids: Sequence[str], rows: Sequence[Sequence[float]]) -> list[Prediction]:
        """Scores ready 15-feature vectors; the state is not touched."""
        matrix = np.asarray(rows, dtype=np.float64).reshape(len(rows), len(self.feature_names))
        return self._score(list(ids), matrix)


def _read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def load_classic_scorer(app_dir: Path) -> ClassicScorer:
    """Builds the Scorer of a classic app folder (manifest.json + model/)."""
    manifest = _read_json(app_dir / "manifest.json")
    model_dir = app_dir / "model"
    model = load_model(model_dir)
    metrics = {k: v for k, v in _read_json(model_dir / "metrics.json").items() if k != "per_fold"}
    name = str(manifest.get("name", app_dir.name))
    return ClassicScorer(
        name=name,
        family=str(manifest.get("model_family", model.kind)),
        model=model,
        state=open_store(state_path(model_dir), history_k=0, namespace=name),
        serving=_read_json(model_dir / "serving.json"),
        metrics=metrics,
        version=artifact_version(model_dir, [DESCRIPTOR, "serving.json", *model.files()]),
    )


def load_scorer(app_dir: Path) -> Scorer:
    """The Scorer of any app folder: classic artifacts here, ONNX networks and deep stacks in fraudkit.deep."""
    if (app_dir / "model" / DESCRIPTOR).is_file():
        return load_classic_scorer(app_dir)
    from fraudkit.deep.shipping import load_deep_scorer

    return load_deep_scorer(app_dir)
