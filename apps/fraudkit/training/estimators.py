"""Training-side estimators (scikit-learn contract) that produce the portable serving models.

Needs scikit-learn, xgboost and lightgbm (the ``.venvs/train`` environment).
Every estimator's ``fit`` returns self and leaves ``portable_``: the exact object serving will load, so
evaluation scores go through the served code path.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fraudkit.models import PortableModel, sigmoid
from fraudkit.models.linear import LinearModel
from fraudkit.models.stacking import StackModel
from fraudkit.training.boosters import TreeModel


class _Estimator:
    """Shared scoring helpers once ``portable_`` exists."""

    portable_: PortableModel

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """(n, 2) class probabilities, as scikit-learn classifiers answer."""
        p = sigmoid(self.portable_.logit(X))
        return np.column_stack([1.0 - p, p])


class LogisticRegressionEstimator(_Estimator):
    """Standard scaling + L2 logistic regression (lbfgs), exported as JSON numbers."""

    def __init__(self, C: float = 1.0, class_weight: str | None = None, max_iter: int = 2000) -> None:
        self.C = C
        self.class_weight = class_weight
        self.max_iter = max_iter

    def fit(self, X: np.ndarray, y: np.ndarray) -> LogisticRegressionEstimator:
        """Fits scaler and model; returns self."""
        from sklearn.linear_model import LogisticRegression
        from sklearn.preprocessing import StandardScaler

        scaler = StandardScaler().fit(X)
        scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
        clf = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=self.max_iter)
        clf.fit((X - scaler.mean_) / scale, y)
        self.portable_ = LinearModel(scaler.mean_, scale, clf.coef_[0], float(clf.intercept_[0]))
        return self


class _BoosterEstimator(_Estimator):
    """Shared constructor of the gradient-boosting estimators: rounds, seed, threads, library parameters."""

    def __init__(self, n_estimators: int = 100, seed: int = 0, n_jobs: int = 2, **params: Any) -> None:
        self.n_estimators = n_estimators
        self.seed = seed
        self.n_jobs = n_jobs
        self.params = params


class XGBoostEstimator(_BoosterEstimator):
    """XGBoost (hist, binary:logistic) with the given booster parameters."""

    def fit(self, X: np.ndarray, y: np.ndarray) -> XGBoostEstimator:
        """Trains the booster; returns self."""
        import xgboost

        params = {
            "objective": "binary:logistic",
            "tree_method": "hist",
            "seed": self.seed,
            "nthread": self.n_jobs,
            "verbosity": 0,
            **self.params,
        }
        booster = xgboost.train(params, xgboost.DMatrix(X, label=y), num_boost_round=self.n_estimators)
        self.portable_ = TreeModel("xgboost", booster, X.shape[1])
        return self


class LightGBMEstimator(_BoosterEstimator):
    """LightGBM (binary objective, deterministic) with the given parameters."""

    def fit(self, X: np.ndarray, y: np.ndarray) -> LightGBMEstimator:
        """Trains the booster; returns self."""
        import lightgbm

        params = {
            "objective": "binary",
            "seed": self.seed,
            "num_threads": self.n_jobs,
            "deterministic": True,
            "force_row_wise": True,
            "verbose": -1,
            **self.params,
        }
        booster = lightgbm.train(params, lightgbm.Dataset(X, label=y), num_boost_round=self.n_estimators)
        self.portable_ = TreeModel("lightgbm", booster, X.shape[1])
        return self


def make_estimator(kind: str, params: dict[str, Any]) -> _Estimator:
    """The estimator of a model kind with its hyperparameters."""
    if kind == "logistic-regression":
        return LogisticRegressionEstimator(**params)
    if kind == "xgboost":
        return XGBoostEstimator(**params)
    if kind == "lightgbm":
        return LightGBMEstimator(**params)
    if kind == "stacking":
        return StackingEstimator(**params)
    raise ValueError(f"unknown model kind {kind!r}")


class StackingEstimator(_Estimator):
    """Parts (kind + params) whose out-of-fold log-odds train a logistic meta-learner.

    The meta-learner's inputs are always scored by parts that never saw those rows: with ``holdout`` set,
    parts fit on the earlier (1 - holdout) share of the time-ordered rows score the later share (blending,
    one extra fit per part); otherwise out-of-fold over ``n_splits`` contiguous blocks. The parts are then
    refit on all rows.
    """

    def __init__(
        self, parts: list[dict[str, Any]], meta_C: float = 1.0, n_splits: int = 3, holdout: float | None = None
    ) -> None:
        self.parts = parts
        self.meta_C = meta_C
        self.n_splits = n_splits
        self.holdout = holdout

    def _meta_inputs(self, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(part log-odds on rows the parts did not see, those rows)."""
        rows = np.arange(X.shape[0])
        if self.holdout:
            cut = int(X.shape[0] * (1.0 - self.holdout))
            pairs = [(rows[:cut], rows[cut:])]
        else:
            pairs = [(np.setdiff1d(rows, b, assume_unique=True), b) for b in np.array_split(rows, self.n_splits)]
        scored = np.concatenate([held for _, held in pairs])
        logits = np.zeros((X.shape[0], len(self.parts)))
        for fit_rows, held in pairs:
            for k, part in enumerate(self.parts):
                model = make_estimator(part["kind"], part.get("params", {})).fit(X[fit_rows], y[fit_rows])
                logits[held, k] = model.portable_.logit(X[held])
        return logits[scored], scored

    def fit(self, X: np.ndarray, y: np.ndarray) -> StackingEstimator:
        """Fits the meta-learner on unseen-row part log-odds, then the parts on everything; returns self."""
        from sklearn.linear_model import LogisticRegression

        inputs, rows = self._meta_inputs(X, y)
        meta = LogisticRegression(C=self.meta_C, max_iter=1000).fit(inputs, y[rows])
        fitted = [make_estimator(p["kind"], p.get("params", {})).fit(X, y).portable_ for p in self.parts]
        self.portable_ = StackModel(fitted, meta.coef_[0], float(meta.intercept_[0]))
        return self
