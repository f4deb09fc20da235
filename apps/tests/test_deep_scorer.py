"""DeepScorer: feeds each customer's history to the window model, explains by occlusion, keeps the state
untouched for ready vectors. Uses a NumPy window model, so it runs in every environment (no onnxruntime)."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest

from fraudkit.deep.scorer import DeepScorer, ServingConfig, occlusion_reasons
from fraudkit.features import FEATURE_NAMES
from fraudkit.records import LabelledTransaction, Transaction
from fraudkit.state import OnlineFeatureState

SEQ_LEN = 3
N_FEATURES = len(FEATURE_NAMES)


class HistoryAmountModel:
    """Probability rises with the current amount and with the number of real (unpadded) history rows."""

    seq_len = SEQ_LEN
    n_features = N_FEATURES

    def __init__(self) -> None:
        self.calls: list[tuple[np.ndarray, np.ndarray]] = []

    def predict(self, windows: np.ndarray, mask: np.ndarray) -> np.ndarray:
        self.calls.append((windows.copy(), mask.copy()))
        logit = (windows[:, -1, 0] - 100.0) / 20.0 + 0.5 * mask[:, :-1].sum(axis=1)
        return 1.0 / (1.0 + np.exp(-logit))


def make_scorer(model: HistoryAmountModel | None = None, threshold: float = 0.5) -> DeepScorer:
    config = ServingConfig(threshold=threshold, reference=[50.0] + [0.0] * (N_FEATURES - 1))
    return DeepScorer(
        "deep-test",
        "v1",
        "lstm",
        model or HistoryAmountModel(),
        OnlineFeatureState(history_k=SEQ_LEN - 1),
        config,
        {"average_precision": {"mean": 0.7, "std": 0.01}},
        {},
    )


def tx(i: int, customer: int, amount: float, minutes: int = 0) -> Transaction:
    return Transaction(f"t{i}", customer, 7, datetime(2018, 9, 1, 10) + timedelta(minutes=minutes), amount)


def test_history_of_the_customer_reaches_the_model() -> None:
    model = HistoryAmountModel()
    scorer = make_scorer(model)
    first, other, second = scorer.predict([tx(1, 5, 80.0, 0), tx(2, 6, 80.0, 1), tx(3, 5, 80.0, 2)])
    windows, mask = model.calls[0]
    np.testing.assert_array_equal(mask[:3], [[0, 0, 1], [0, 0, 1], [0, 1, 1]])
    assert windows[2, 1, 0] == 80.0  # customer 5's first transaction sits before its second
    assert second.fraud_probability > first.fraud_probability
    assert first.fraud_probability == pytest.approx(other.fraud_probability)
    # Across calls too: the state remembers, and keeps at most seq_len - 1 earlier transactions.
    (third,) = scorer.predict([tx(4, 5, 80.0, 3)])
    (fourth,) = scorer.predict([tx(5, 5, 80.0, 4)])
    assert third.fraud_probability > second.fraud_probability
    assert fourth.fraud_probability == pytest.approx(third.fraud_probability)


def test_threshold_and_reasons() -> None:
    scorer = make_scorer(threshold=0.9)
    low, high = scorer.predict([tx(1, 1, 20.0), tx(2, 2, 400.0)])
    assert not low.is_fraud and high.is_fraud
    assert high.reasons and high.reasons[0].feature == "TX_AMOUNT" and high.reasons[0].contribution > 0
    assert low.reasons == []  # replacing 20 by the reference 50 would raise the score: nothing pushes to fraud
    assert all(len(p.reasons) <= 3 for p in (low, high))


def test_occlusion_contribution_is_the_score_drop() -> None:
    model = HistoryAmountModel()
    windows = np.zeros((1, SEQ_LEN, N_FEATURES), dtype=np.float32)
    windows[0, -1, 0] = 160.0
    mask = np.ones((1, SEQ_LEN), dtype=np.float32)
    scores = model.predict(windows, mask)
    reference = np.full(N_FEATURES, 0.0, dtype=np.float32)
    reference[0] = 100.0
    (reasons,) = occlusion_reasons(model, windows, mask, scores, reference, FEATURE_NAMES)
    expected = scores[0] - model.predict(np.where(np.arange(N_FEATURES) == 0, 100.0, windows), mask)[0]
    assert [r.feature for r in reasons] == ["TX_AMOUNT"]
    assert reasons[0].contribution == pytest.approx(expected, abs=1e-6)


def test_ready_vectors_do_not_touch_the_state() -> None:
    model = HistoryAmountModel()
    scorer = make_scorer(model)
    row = [120.0] + [0.0] * (N_FEATURES - 1)
    (ready,) = scorer.predict_features(["r1"], [row])
    np.testing.assert_array_equal(model.calls[0][1], [[0, 0, 1]])
    assert scorer.info()["state"]["customers"] == 0
    assert ready.transaction_id == "r1" and 0 < ready.fraud_probability < 1
    assert scorer.predict_features([], []) == []


def test_feedback_counts_applied_labels_and_info_reports() -> None:
    scorer = make_scorer()
    scorer.predict([tx(1, 1, 20.0)])
    labelled = [LabelledTransaction("t1", 1, 7, datetime(2018, 9, 1, 10), 20.0, is_fraud=True)]
    assert scorer.feedback(labelled) == 1
    info = scorer.info()
    assert info["sequence_length"] == SEQ_LEN and info["threshold"] == 0.5
    assert info["features"] == FEATURE_NAMES and info["training_metrics"]["average_precision"]["mean"] == 0.7


def test_inconsistent_parts_are_refused() -> None:
    with pytest.raises(ValueError, match="previous vectors"):
        DeepScorer(
            "x",
            "v",
            "lstm",
            HistoryAmountModel(),
            OnlineFeatureState(history_k=1),
            ServingConfig(0.5, [0.0] * N_FEATURES),
            {},
            {},
        )
    with pytest.raises(ValueError, match="number of features"):
        DeepScorer(
            "x",
            "v",
            "lstm",
            HistoryAmountModel(),
            OnlineFeatureState(history_k=2),
            ServingConfig(0.5, [0.0] * 3),
            {},
            {},
        )
