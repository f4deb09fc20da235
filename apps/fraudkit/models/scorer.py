"""The Scorer of the classic apps (linear, trees, stacking).

A classic app's ``model/`` holds ``model.json`` (artifact kind + files), the artifact, ``serving.json``
(threshold, feature set) and ``metrics.json``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from fraudkit.batching import MicroBatcher, wait_seconds_from_env
from fraudkit.features import extend_features, extended_feature_names
from fraudkit.models import DESCRIPTOR, PortableModel, load_model, sigmoid
from fraudkit.records import Prediction, Transaction
from fraudkit.scoring import StatefulScorer, artifact_version, read_json, state_path, top_reasons
from fraudkit.state import OnlineFeatureState
from fraudkit.store import open_store
from fraudkit.store.base import StateStore


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


def load_classic_scorer(app_dir: Path) -> ClassicScorer:
    """Builds the Scorer of a classic app folder (manifest.json + model/)."""
    manifest = read_json(app_dir / "manifest.json")
    model_dir = app_dir / "model"
    model = load_model(model_dir)
    metrics = {k: v for k, v in read_json(model_dir / "metrics.json").items() if k != "per_fold"}
    name = str(manifest.get("name", app_dir.name))
    return ClassicScorer(
        name=name,
        family=str(manifest.get("model_family", model.kind)),
        model=model,
        state=open_store(state_path(model_dir), history_k=0, namespace=name),
        serving=read_json(model_dir / "serving.json"),
        metrics=metrics,
        version=artifact_version(model_dir, [DESCRIPTOR, "serving.json", *model.files()]),
    )
