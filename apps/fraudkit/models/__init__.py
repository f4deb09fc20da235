"""Portable model artifacts (no pickles): loading for serving, and the common interface of every family
(training writes them: fraudkit.training).

Every served model answers in log-odds so a stack can combine its parts linearly and so per-feature
contributions (reasons) of all families live on the same scale.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Protocol

import numpy as np

DESCRIPTOR = "model.json"
"""The file in ``model/`` naming the artifact's kind and files."""


class PortableModel(Protocol):
    """A loaded artifact that scores feature matrices."""

    kind: str
    n_features: int

    def logit(self, X: np.ndarray) -> np.ndarray:
        """Log-odds of fraud, one per row."""
        ...

    def contributions(self, X: np.ndarray) -> np.ndarray:
        """(n, n_features) per-feature contributions to the log-odds (positive = towards fraud)."""
        ...

    def files(self) -> list[str]:
        """The artifact's file names (relative to model/), for the version hash."""
        ...

    def save(self, model_dir: Path, prefix: str = "") -> dict[str, object]:
        """Writes the artifact's files; returns its descriptor (kind + file names)."""
        ...


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Numerically safe logistic function."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=np.float64)))


def load_descriptor(model_dir: Path, descriptor: dict[str, object]) -> PortableModel:
    """The model a descriptor (as written by ``save``) describes."""
    kind = descriptor["kind"]
    if kind == "logistic-regression":
        from fraudkit.models.linear import LinearModel

        return LinearModel.load(model_dir, descriptor)
    if kind in ("xgboost", "lightgbm"):
        from fraudkit.models.trees import OnnxTreeModel

        return OnnxTreeModel.load(model_dir, descriptor)
    if kind == "stacking":
        from fraudkit.models.stacking import StackModel

        return StackModel.load(model_dir, descriptor, load_descriptor)
    raise ValueError(f"unknown model kind {kind!r}")


def load_model(model_dir: Path) -> PortableModel:
    """The model stored in ``model_dir`` (reads its model.json)."""
    return load_descriptor(model_dir, json.loads((model_dir / DESCRIPTOR).read_text(encoding="utf-8")))


def save_model(model: PortableModel, model_dir: Path) -> None:
    """Writes the model's files and its model.json descriptor."""
    model_dir.mkdir(parents=True, exist_ok=True)
    descriptor = model.save(model_dir)
    (model_dir / DESCRIPTOR).write_text(json.dumps(descriptor, indent=2) + "\n", encoding="utf-8")
