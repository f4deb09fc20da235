"""Training of a deep stack (training environment only): sequence networks and classic models fitted on the
older part of a train block, a logistic meta-learner fitted on their log-odds over the most recent part.

Blending rather than k-fold stacking: refitting every network once per split would triple the training time
on two shared cores. The networks pick their epoch on the same recent part, so the meta-learner's inputs are
slightly optimistic for them; the test folds, never seen by any part, are what metrics.json reports.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from fraudkit.deep.stack import STACK_FILE, DeepStack, log_odds
from fraudkit.features import extend_features
from fraudkit.models import PortableModel, sigmoid
from fraudkit.training.estimators import make_estimator
from fraudkit.training.net_fit import NetworkFit, fit_network
from fraudkit.training.onnx_export import export_onnx


@dataclass
class StackFit:
    """The fitted parts and meta-learner of one train block."""

    nets: list[NetworkFit]
    classic: list[PortableModel]
    weights: NDArray[np.float64]
    intercept: float
    extended: bool
    holdout: tuple[NDArray[np.integer], NDArray[np.float64]]
    info: dict[str, Any]

    def _classic_rows(self, windows: NDArray[np.float32]) -> NDArray[np.float64]:
        current = np.asarray(windows[:, -1, :], dtype=np.float64)
        return extend_features(current) if self.extended else current

    def part_logits(self, windows: NDArray[np.float32], mask: NDArray[np.float32]) -> NDArray[np.float64]:
        """(n, n_parts) log-odds, networks first, as DeepStack orders them."""
        columns = [log_odds(net.scores(windows, mask)) for net in self.nets]
        rows = self._classic_rows(windows)
        return np.column_stack(columns + [part.logit(rows) for part in self.classic])

    def scores(self, windows: NDArray[np.float32], mask: NDArray[np.float32]) -> NDArray[np.float64]:
        """Stack probabilities (torch networks; the served DeepStack runs their ONNX exports)."""
        return sigmoid(self.part_logits(windows, mask) @ self.weights + self.intercept)

    def export(self, model_dir: Path) -> dict[str, Any]:
        """Writes net<k>.onnx, the classic parts' files and deep_stack.json."""
        net_files = []
        for k, net in enumerate(self.nets):
            net_files.append(f"net{k}.onnx")
            export_onnx(net.net, model_dir / net_files[-1], net.seq_len, net.n_features)
        classic = [part.save(model_dir, prefix=f"part{k}_") for k, part in enumerate(self.classic)]
        body = DeepStack.describe(net_files, classic, self.weights.tolist(), self.intercept, self.extended)
        (model_dir / STACK_FILE).write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
        return self.info


def fit_deep_stack(
    settings: dict[str, Any], windows: NDArray[np.float32], mask: NDArray[np.float32], y: NDArray[np.integer]
) -> StackFit:
    """Fits networks (`networks`), classic parts (`classic`: kind + params) and the meta-learner (`meta_C`)."""
    from sklearn.linear_model import LogisticRegression

    holdout_fraction = float(settings.get("holdout_fraction", 0.15))
    extended = bool(settings.get("extended", False))
    n = windows.shape[0]
    n_hold = int(n * holdout_fraction)
    base, hold = slice(0, n - n_hold), slice(n - n_hold, n)

    nets = []
    for member in settings["networks"]:
        # Each network trains on the same older part and holds out the same recent part as the meta-learner.
        training = {**member.get("training", {}), "validation_fraction": holdout_fraction}
        nets.append(fit_network({**member, "training": training}, windows, mask, y))
    current = np.asarray(windows[:, -1, :], dtype=np.float64)
    rows = extend_features(current) if extended else current
    classic = [
        make_estimator(part["kind"], part.get("params", {})).fit(rows[base], y[base]).portable_
        for part in settings.get("classic", [])
    ]
    meta_inputs = np.column_stack(
        [log_odds(net.holdout[1]) for net in nets] + [part.logit(rows[hold]) for part in classic]
    )
    meta = LogisticRegression(C=float(settings.get("meta_C", 1.0)), max_iter=1000).fit(meta_inputs, y[hold])
    weights, intercept = meta.coef_[0].astype(np.float64), float(meta.intercept_[0])
    holdout_scores = sigmoid(meta_inputs @ weights + intercept)
    info = {
        "networks": [net.info for net in nets],
        "classic": settings.get("classic", []),
        "meta_weights": [round(float(w), 4) for w in weights],
        "meta_intercept": round(intercept, 4),
        "extended_features_for_classic_parts": extended,
    }
    return StackFit(nets, classic, weights, intercept, extended, (y[hold], holdout_scores), info)
