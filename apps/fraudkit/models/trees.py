"""Gradient-boosted trees: trained and saved in the libraries' own portable formats (XGBoost JSON, LightGBM
text), served from their exported ONNX graph and paths file (``fraudkit.models.export_trees``) without the
libraries: ONNX Runtime computes the margin, ``fraudkit.models.tree_paths`` the exact TreeSHAP reasons."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

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
            raise ValueError(f"{graph} was not exported from this {file}: run python -m fraudkit.models.export_trees")
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
        raise TypeError("an exported tree model is saved by training (TreeModel) and fraudkit.models.export_trees")


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
        """Writes the booster in its library's portable format, then its serving export when onnx is there
        (the training env); without onnx a stale export is removed, so the booster is served by its library."""
        self._file = f"{prefix}{FILES[self.kind]}"
        self.booster.save_model(str(model_dir / self._file))
        for name in exported_files(self._file):
            (model_dir / name).unlink(missing_ok=True)
        try:
            import onnx  # noqa: F401  (the exporter's dependency)
        except ImportError:
            pass
        else:
            from fraudkit.models.export_trees import export_booster

            export_booster(self.kind, model_dir, self._file, self.n_features, None)
        return {"kind": self.kind, "file": self._file, "n_features": self.n_features}

    @staticmethod
    def load(model_dir: Path, descriptor: dict[str, object]) -> OnnxTreeModel | TreeModel:
        """The exported model when its graph is beside the booster file (serving), else the booster through its
        library (training, before the export)."""
        kind = str(descriptor["kind"])
        file = str(descriptor["file"])
        if (model_dir / exported_files(file)[0]).is_file():
            return OnnxTreeModel(kind, model_dir, file, int(descriptor["n_features"]))  # type: ignore[arg-type]
        path = str(model_dir / file)
        if kind == "xgboost":
            import xgboost

            booster: Any = xgboost.Booster(model_file=path)
            booster.set_param({"nthread": 1})
        else:
            import lightgbm

            booster = lightgbm.Booster(model_file=path)
        model = TreeModel(kind, booster, int(descriptor["n_features"]))  # type: ignore[arg-type]
        model._file = str(descriptor["file"])
        return model
