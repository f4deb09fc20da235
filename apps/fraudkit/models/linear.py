"""Logistic regression with standard scaling, as plain JSON numbers, scored with NumPy."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np


class LinearModel:
    """logit = intercept + coef . (X - mean) / scale; contributions are the terms of that sum."""

    kind = "logistic-regression"

    def __init__(self, mean: np.ndarray, scale: np.ndarray, coef: np.ndarray, intercept: float) -> None:
        self.mean = np.asarray(mean, dtype=np.float64)
        self.scale = np.asarray(scale, dtype=np.float64)
        self.coef = np.asarray(coef, dtype=np.float64)
        self.intercept = float(intercept)
        self.n_features = int(self.coef.shape[0])

    def contributions(self, X: np.ndarray) -> np.ndarray:
        """coef x scaled value, per feature."""
        return (np.asarray(X, dtype=np.float64) - self.mean) / self.scale * self.coef

    def logit(self, X: np.ndarray) -> np.ndarray:
        """Log-odds of fraud."""
        return self.contributions(X).sum(axis=1) + self.intercept

    def files(self) -> list[str]:
        """One JSON file."""
        return [self._file]

    _file = "logreg.json"

    def save(self, model_dir: Path, prefix: str = "") -> dict[str, object]:
        """Writes <prefix>logreg.json with repr-exact floats."""
        self._file = f"{prefix}logreg.json"
        body = {
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "coef": self.coef.tolist(),
            "intercept": self.intercept,
        }
        (model_dir / self._file).write_text(json.dumps(body) + "\n", encoding="utf-8")
        return {"kind": self.kind, "file": self._file}

    @staticmethod
    def load(model_dir: Path, descriptor: dict[str, object]) -> LinearModel:
        """Reads the JSON file a descriptor names."""
        body = json.loads((model_dir / str(descriptor["file"])).read_text(encoding="utf-8"))
        model = LinearModel(body["mean"], body["scale"], body["coef"], body["intercept"])
        model._file = str(descriptor["file"])
        return model
