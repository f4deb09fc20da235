"""Gradient-boosted trees for serving: the booster files (XGBoost JSON, LightGBM text, written by
``fraudkit.training.boosters``) are served from their exported ONNX graph and paths file
(``fraudkit.training.export_trees``) without the libraries: ONNX Runtime computes the margin,
``fraudkit.models.tree_paths`` the exact TreeSHAP reasons."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

FILES = {"xgboost": "xgboost.json", "lightgbm": "lightgbm.txt"}


def exported_files(file: str) -> tuple[str, str]:
    """The ONNX graph and paths file exported from the booster file ``file``."""
    stem = file.rsplit(".", 1)[0]
    return f"{stem}.onnx", f"{stem}.paths.npz"


class OnnxTreeModel:
    """An exported booster: the margin from ONNX Runtime's TreeEnsemble, TreeSHAP contributions from its paths.

    Loading checks that the export was made from the booster file beside it, so a retrained model cannot be
    served with a stale graph."""

    def __init__(self, kind: str, model_dir: Path, file: str, n_features: int) -> None:
        import onnxruntime as ort

        from fraudkit.models.tree_paths import TreePaths

        graph, paths = exported_files(file)
        with np.load(model_dir / paths, allow_pickle=False) as data:
            made_from = str(data["source_sha256"])
        if made_from != hashlib.sha256((model_dir / file).read_bytes()).hexdigest():
            raise ValueError(f"{graph} was not exported from this {file}: run python -m fraudkit.training.export_trees")
        options = ort.SessionOptions()
        # One thread per call: gunicorn runs requests in parallel and a call is a few microseconds of trees.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(model_dir / graph), options, providers=["CPUExecutionProvider"])
        self.kind = kind
        self.n_features = n_features
        self.explainer = TreePaths.load(model_dir / paths, n_features)
        self._dtype = np.float32 if self.explainer.float32_less_than else np.float64
        self._files = [file, graph, paths]
        self._file = file

    def logit(self, X: np.ndarray) -> np.ndarray:
        """Log-odds of fraud (the booster's raw margin)."""
        if len(X) == 0:
            return np.zeros(0)
        (margin,) = self.session.run(None, {"X": np.ascontiguousarray(X, dtype=self._dtype)})
        return margin[:, 0].astype(np.float64)

    def contributions(self, X: np.ndarray) -> np.ndarray:
        """Per-feature TreeSHAP contributions (as the library's pred_contrib, bias dropped)."""
        return self.explainer.contributions(X)

    def files(self) -> list[str]:
        """The booster file and its exported graph and paths."""
        return list(self._files)

    def save(self, model_dir: Path, prefix: str = "") -> dict[str, object]:
        """Serving models are loaded, not saved: the booster file is the training side's."""
        raise TypeError("an exported tree model is saved by training (fraudkit.training.boosters.TreeModel)")

    @staticmethod
    def load(model_dir: Path, descriptor: dict[str, object]) -> OnnxTreeModel:
        """The exported booster a descriptor names (its graph and paths file must be beside it)."""
        kind, file = str(descriptor["kind"]), str(descriptor["file"])
        if not (model_dir / exported_files(file)[0]).is_file():
            raise ValueError(f"{file} has no ONNX export beside it: run python -m fraudkit.training.export_trees")
        return OnnxTreeModel(kind, model_dir, file, int(descriptor["n_features"]))
