"""Gradient-boosted trees on the training side: an XGBoost or LightGBM booster scored by its own library,
saved in the library's portable format together with its serving export (``fraudkit.training.export_trees``).
Serving loads the export only (``fraudkit.models.trees.OnnxTreeModel``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from fraudkit.models.trees import FILES, exported_files
from fraudkit.training.export_trees import export_booster


class TreeModel:
    """An XGBoost or LightGBM booster; contributions are the libraries' SHAP values (log-odds scale)."""

    def __init__(self, kind: str, booster: Any, n_features: int) -> None:
        if kind not in FILES:
            raise ValueError(f"unknown tree kind {kind!r}")
        self.kind = kind
        self.booster = booster
        self.n_features = n_features
        self._file = FILES[kind]

    def _raw(self, X: np.ndarray, contrib: bool) -> np.ndarray:
        X = np.ascontiguousarray(X, dtype=np.float64)
        if self.kind == "xgboost":
            import xgboost

            matrix = xgboost.DMatrix(X)
            if contrib:
                return np.asarray(self.booster.predict(matrix, pred_contribs=True))
            return np.asarray(self.booster.predict(matrix, output_margin=True))
        if contrib:
            return np.asarray(self.booster.predict(X, pred_contrib=True))
        return np.asarray(self.booster.predict(X, raw_score=True))

    def logit(self, X: np.ndarray) -> np.ndarray:
        """Log-odds of fraud (the booster's raw margin)."""
        if len(X) == 0:
            return np.zeros(0)
        return self._raw(X, contrib=False).astype(np.float64)

    def contributions(self, X: np.ndarray) -> np.ndarray:
        """Per-feature SHAP contributions (the bias column dropped)."""
        if len(X) == 0:
            return np.zeros((0, self.n_features))
        return self._raw(X, contrib=True)[:, : self.n_features].astype(np.float64)

    def files(self) -> list[str]:
        """The booster's model file."""
        return [self._file]

    def save(self, model_dir: Path, prefix: str = "") -> dict[str, object]:
        """Writes the booster in its library's portable format, then its serving export (ONNX graph + paths)."""
        self._file = f"{prefix}{FILES[self.kind]}"
        self.booster.save_model(str(model_dir / self._file))
        for name in exported_files(self._file):
            (model_dir / name).unlink(missing_ok=True)
        export_booster(self.kind, model_dir, self._file, self.n_features, None)
        return {"kind": self.kind, "file": self._file, "n_features": self.n_features}
