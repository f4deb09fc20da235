"""A deep stack for serving: sequence networks (ONNX) and classic models (fraudkit.models, on the current
transaction's features) combined by a logistic meta-learner on their log-odds. NumPy + onnxruntime, plus the
classic parts' own library (LightGBM for the shipped stack)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from fraudkit.deep.runtime import OnnxSequenceModel
from fraudkit.features import extend_features
from fraudkit.models import PortableModel, load_descriptor, sigmoid

STACK_FILE = "deep_stack.json"
"""The stack's descriptor in model/: part files, meta-learner weights and intercept."""

EPS = 1e-7
"""Probabilities are clipped to [EPS, 1 - EPS] before taking log-odds."""


def log_odds(p: NDArray[np.float64]) -> NDArray[np.float64]:
    """logit(p) with clipping, so a saturated network cannot produce an infinite meta-input."""
    q = np.clip(p, EPS, 1.0 - EPS)
    return np.log(q / (1.0 - q))


class DeepStack:
    """logit = intercept + sum_k weight_k * logit_k over the networks then the classic parts (in that order)."""

    def __init__(
        self,
        nets: list[OnnxSequenceModel],
        classic: list[PortableModel],
        weights: NDArray[np.float64],
        intercept: float,
        extended: bool,
        files: list[str],
    ) -> None:
        if not nets:
            raise ValueError("a deep stack needs at least one sequence network")
        if len(weights) != len(nets) + len(classic):
            raise ValueError("one meta-learner weight per part is needed")
        self.nets = nets
        self.classic = classic
        self.weights = np.asarray(weights, dtype=np.float64)
        self.intercept = float(intercept)
        self.extended = extended
        self.seq_len = nets[0].seq_len
        self.n_features = nets[0].n_features
        self._files = files

    def part_logits(self, windows: NDArray[np.floating], mask: NDArray[np.floating]) -> NDArray[np.float64]:
        """(n, n_parts) log-odds of every part: the meta-learner's inputs."""
        columns = [log_odds(net.predict(windows, mask)) for net in self.nets]
        if self.classic:
            current = np.asarray(windows[:, -1, :], dtype=np.float64)
            rows = extend_features(current) if self.extended else current
            columns += [part.logit(rows) for part in self.classic]
        return np.column_stack(columns)

    def predict(self, windows: NDArray[np.floating], mask: NDArray[np.floating]) -> NDArray[np.float64]:
        """Fraud probabilities of the last transaction of each window."""
        if windows.shape[0] == 0:
            return np.zeros(0)
        return sigmoid(self.part_logits(windows, mask) @ self.weights + self.intercept)

    def files(self) -> list[str]:
        """The descriptor and every part's file (for the version hash)."""
        return list(self._files)

    @staticmethod
    def describe(
        net_files: list[str],
        classic: list[dict[str, Any]],
        weights: list[float],
        intercept: float,
        extended: bool,
    ) -> dict[str, Any]:
        """The body of deep_stack.json (written by training)."""
        return {"nets": net_files, "classic": classic, "weights": weights, "intercept": intercept, "extended": extended}

    @staticmethod
    def load(model_dir: Path) -> DeepStack:
        """Reads deep_stack.json and the parts it lists."""
        body = json.loads((model_dir / STACK_FILE).read_text(encoding="utf-8"))
        nets = [OnnxSequenceModel(model_dir / name) for name in body["nets"]]
        classic = [load_descriptor(model_dir, d) for d in body["classic"]]
        files = [STACK_FILE, *body["nets"], *(f for part in classic for f in part.files())]
        return DeepStack(
            nets, classic, np.array(body["weights"]), body["intercept"], bool(body.get("extended", False)), files
        )
