"""The Scorer of the deep apps: the online feature state (with each customer's last vectors) feeding a
window model (one ONNX sequence network or a deep stack), and ``load_deep_scorer``, which builds it from an
app folder (manifest.json + model/). Needs NumPy and onnxruntime only.

Reasons come from occlusion: each feature of the current transaction is replaced in turn by its typical
training value and the drop in score is that feature's contribution. Networks have no native attribution
that survives ONNX export, and occlusion costs one extra batched call (n_features windows per transaction).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, Sequence

import numpy as np
from numpy.typing import NDArray

from fraudkit.deep.runtime import OnnxSequenceModel
from fraudkit.deep.sequences import window_from_history
from fraudkit.deep.stack import STACK_FILE, DeepStack
from fraudkit.records import Prediction, Reason, Transaction
from fraudkit.scoring import TOP_REASONS, StatefulScorer, artifact_version, read_json, state_path, top_reasons
from fraudkit.state import OnlineFeatureState
from fraudkit.store import open_store
from fraudkit.store.base import StateStore

MODEL_FILE = "model.onnx"
"""The network of a single-network app, in model/."""
SERVING_FILE = "serving.json"
METRICS_FILE = "metrics.json"


class WindowModel(Protocol):
    """Anything that scores windows: one ONNX network, or a stack of models with a meta-learner."""

    seq_len: int
    n_features: int

    def predict(self, windows: NDArray[np.floating], mask: NDArray[np.floating]) -> NDArray[np.float64]:
        """Fraud probabilities of the last transaction of each window."""
        ...


@dataclass(frozen=True)
class ServingConfig:
    """What training leaves beside the artifact for serving (model/serving.json)."""

    threshold: float
    reference: list[float]
    """Typical (median) training value of each feature: the occlusion baseline for reasons."""

    @staticmethod
    def load(path: Path) -> ServingConfig:
        """Reads model/serving.json."""
        raw = json.loads(path.read_text())
        return ServingConfig(threshold=float(raw["threshold"]), reference=[float(v) for v in raw["reference"]])


def occlusion_reasons(
    model: WindowModel,
    windows: NDArray[np.float32],
    mask: NDArray[np.float32],
    scores: NDArray[np.float64],
    reference: NDArray[np.float32],
    names: Sequence[str],
    top: int = TOP_REASONS,
) -> list[list[Reason]]:
    """Per window, the features of the current transaction whose replacement by `reference` lowers the score
    most (contribution = score - occluded score, positive = towards fraud), at most `top`."""
    n, _, n_features = windows.shape
    if n == 0:
        return []
    occluded = np.repeat(windows, n_features, axis=0)
    feature = np.tile(np.arange(n_features), n)
    occluded[np.arange(n * n_features), -1, feature] = reference[feature]
    drop = scores.repeat(n_features) - model.predict(occluded, np.repeat(mask, n_features, axis=0))
    return top_reasons(drop.reshape(n, n_features), names, top)


class DeepScorer(StatefulScorer):
    """A loaded deep app: an ONNX window model over the shared state (the model call is reentrant)."""

    def __init__(
        self,
        name: str,
        version: str,
        family: str,
        model: WindowModel,
        state: OnlineFeatureState | StateStore,
        config: ServingConfig,
        metrics: dict[str, Any],
        details: dict[str, Any],
    ) -> None:
        if len(config.reference) != model.n_features or len(state.feature_names) != model.n_features:
            raise ValueError("model, state and serving config disagree on the number of features")
        if state.history_k < model.seq_len - 1:
            raise ValueError(f"state keeps {state.history_k} previous vectors, the model needs {model.seq_len - 1}")
        super().__init__(name, version, family, config.threshold, state, metrics)
        self._model = model
        self._reference = np.asarray(config.reference, dtype=np.float32)
        self._details = details

    def _model_info(self) -> dict[str, Any]:
        return {"sequence_length": self._model.seq_len, **self._details}

    def _score(self, ids: Sequence[str], windows: NDArray[np.float32], mask: NDArray[np.float32]) -> list[Prediction]:
        scores = self._model.predict(windows, mask)
        reasons = occlusion_reasons(self._model, windows, mask, scores, self._reference, self.feature_names)
        return [Prediction(tx_id, float(p), bool(p >= self.threshold), r) for tx_id, p, r in zip(ids, scores, reasons)]

    def predict(self, transactions: Sequence[Transaction]) -> list[Prediction]:
        """Scores raw transactions in order; each sees the ones before it (same customer) in its window."""
        seq_len = self._model.seq_len
        windows = np.zeros((len(transactions), seq_len, self._model.n_features), dtype=np.float32)
        mask = np.zeros((len(transactions), seq_len), dtype=np.float32)
        for i, update in enumerate(self.store.score(transactions)):
            windows[i], mask[i] = window_from_history(update.previous, update.features, seq_len)
        return self._score([t.transaction_id for t in transactions], windows, mask)

    def predict_features(self, ids: Sequence[str], rows: Sequence[Sequence[float]]) -> list[Prediction]:
        """Scores ready vectors as transactions without history (no customer is known); state untouched."""
        seq_len = self._model.seq_len
        pairs = [window_from_history([], row, seq_len) for row in rows]
        windows = (
            np.stack([w for w, _ in pairs]) if pairs else np.zeros((0, seq_len, self._model.n_features), np.float32)
        )
        mask = np.stack([m for _, m in pairs]) if pairs else np.zeros((0, seq_len), np.float32)
        return self._score(list(ids), windows, mask)


def load_window_model(model_dir: Path) -> tuple[WindowModel, list[str]]:
    """The app's window model and its file names in model/ (a deep stack is recognised by its stack file)."""
    if (model_dir / STACK_FILE).is_file():
        stack = DeepStack.load(model_dir)
        return stack, stack.files()
    return OnnxSequenceModel(model_dir / MODEL_FILE), [MODEL_FILE]


def load_deep_scorer(app_dir: Path) -> DeepScorer:
    """Builds the Scorer of a deep app folder (manifest.json + model/)."""
    manifest = json.loads((app_dir / "manifest.json").read_text())
    model_dir = app_dir / "model"
    model, files = load_window_model(model_dir)
    state = open_store(state_path(model_dir), history_k=model.seq_len - 1, namespace=str(manifest["name"]))
    metrics = read_json(model_dir / METRICS_FILE)
    return DeepScorer(
        name=str(manifest["name"]),
        version=artifact_version(model_dir, [*files, SERVING_FILE]),
        family=str(manifest["model_family"]),
        model=model,
        state=state,
        config=ServingConfig.load(model_dir / SERVING_FILE),
        metrics={k: v for k, v in metrics.items() if k != "per_fold"},
        details={"artifact": files},
    )
