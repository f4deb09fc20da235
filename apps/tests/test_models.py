"""Portable artifacts: saved and reloaded models score identically; contributions add up to the log-odds."""

from __future__ import annotations

import numpy as np
import pytest

from fraudkit.models import load_model, save_model, sigmoid
from fraudkit.models.linear import LinearModel
from fraudkit.models.stacking import StackModel

RNG = np.random.default_rng(0)
X = RNG.normal(size=(200, 4))
Y = (X[:, 0] + 0.5 * X[:, 1] + RNG.normal(scale=0.5, size=200) > 1.0).astype(int)


def linear() -> LinearModel:
    return LinearModel(
        mean=[0.1, 0.0, -0.2, 1.0], scale=[1.0, 2.0, 0.5, 1.0], coef=[1.5, -0.5, 0.0, 2.0], intercept=-3.0
    )


def test_linear_model_is_scaled_logistic_regression():
    model = linear()
    expected = -3.0 + ((X - model.mean) / model.scale) @ model.coef
    np.testing.assert_allclose(model.logit(X), expected)
    np.testing.assert_allclose(model.contributions(X).sum(axis=1), expected + 3.0)


def test_sigmoid_is_stable_for_large_logits():
    assert sigmoid(np.array([-1000.0, 0.0, 1000.0])).tolist() == [0.0, 0.5, 1.0]


def test_linear_and_stack_round_trip(tmp_path):
    stack = StackModel(
        [linear(), LinearModel([0, 0, 0, 0], [1, 1, 1, 1], [0.2, 0.2, 0.2, 0.2], 0.5)], np.array([0.7, 1.1]), -0.4
    )
    save_model(stack, tmp_path)
    loaded = load_model(tmp_path)
    np.testing.assert_array_equal(loaded.logit(X), stack.logit(X))
    # Linear in its parts: contributions + a per-model constant = log-odds.
    offset = loaded.logit(X) - loaded.contributions(X).sum(axis=1)
    np.testing.assert_allclose(offset, offset[0])
    assert sorted(loaded.files()) == sorted(["stack.json", "part0_logreg.json", "part1_logreg.json"])


@pytest.mark.parametrize("kind", ["xgboost", "lightgbm"])
def test_tree_models_round_trip_with_shap_contributions(kind, tmp_path):
    pytest.importorskip(kind)
    pytest.importorskip("onnx")  # saving a booster writes its serving export, which is all serving loads
    from fraudkit.training.boosters import TreeModel

    if kind == "xgboost":
        import xgboost

        booster = xgboost.train(
            {"objective": "binary:logistic", "max_depth": 2, "seed": 0}, xgboost.DMatrix(X, label=Y), 20
        )
    else:
        import lightgbm

        booster = lightgbm.train(
            {"objective": "binary", "num_leaves": 4, "verbose": -1, "min_data_in_leaf": 5},
            lightgbm.Dataset(X, label=Y),
            20,
        )
    model = TreeModel(kind, booster, 4)
    save_model(model, tmp_path)
    loaded = load_model(tmp_path)
    # Served from the ONNX export when onnx is installed: its float32 sums of the leaves differ from the
    # library's in the last bits (relative 4e-7 here), far below the 1e-6 that matters on probabilities.
    np.testing.assert_allclose(loaded.logit(X), model.logit(X), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(sigmoid(loaded.logit(X)), sigmoid(model.logit(X)), rtol=0, atol=1e-6)
    offset = loaded.logit(X) - loaded.contributions(X).sum(axis=1)
    np.testing.assert_allclose(offset, offset[0], atol=1e-5)  # the SHAP bias term
    assert loaded.contributions(X[:0]).shape == (0, 4)


def test_classic_scorer_scores_raw_transactions_and_vectors_alike(tmp_path):
    import json
    from datetime import datetime, timedelta

    from fraudkit.features import FEATURE_NAMES, extended_feature_names
    from fraudkit.records import LabelledTransaction, Transaction
    from fraudkit.scorer import load_scorer
    from fraudkit.state import OnlineFeatureState

    n = len(extended_feature_names())
    model = LinearModel(np.zeros(n), np.ones(n), np.linspace(-0.2, 0.3, n), -4.0)
    model_dir = tmp_path / "app" / "model"
    save_model(model, model_dir)
    (model_dir / "serving.json").write_text(json.dumps({"threshold": 0.5, "extended_features": True}))
    OnlineFeatureState().save(model_dir / "state.npz")
    (tmp_path / "app" / "manifest.json").write_text(json.dumps({"name": "x", "model_family": "logistic-regression"}))

    scorer = load_scorer(tmp_path / "app")
    t0 = datetime(2018, 10, 1, 9)
    txs = [Transaction(f"t{i}", 1, 2, t0 + timedelta(hours=i), 50.0 + i) for i in range(3)]
    state = OnlineFeatureState()
    vectors = [state.update(tx).features for tx in txs]
    by_raw = scorer.predict(txs)
    by_vector = scorer.predict_features(["a", "b", "c"], vectors)
    assert [p.fraud_probability for p in by_raw] == pytest.approx([p.fraud_probability for p in by_vector])
    assert scorer.feature_names == FEATURE_NAMES and scorer.info()["state"]["customers"] == 1
    assert all(r.contribution > 0 for p in by_raw for r in p.reasons)
    assert scorer.feedback([LabelledTransaction("t0", 1, 2, t0, 50.0, True)]) == 1


@pytest.mark.parametrize("scheme", [{"holdout": 0.3}, {"n_splits": 3}])
def test_stacking_estimator_learns_a_meta_learner_over_its_parts(scheme):
    pytest.importorskip("sklearn")
    from fraudkit.training.estimators import StackingEstimator

    parts = [
        {"kind": "logistic-regression", "params": {"C": 1.0}},
        {"kind": "logistic-regression", "params": {"C": 0.01}},
    ]
    stack = StackingEstimator(parts, **scheme).fit(X, Y)
    assert isinstance(stack.portable_, StackModel) and len(stack.portable_.parts) == 2
    p = stack.predict_proba(X)[:, 1]
    assert p[Y == 1].mean() > p[Y == 0].mean() + 0.3
