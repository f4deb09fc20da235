"""The serving contract over a fake model: shapes of /health, /predict, /feedback, /model-info, /openapi.json."""

from __future__ import annotations

from datetime import datetime

import pytest
from bad_requests import GOOD_TX
from fake_scorer import FakeScorer, amount_score

from fraudkit.serving import create_app
from fraudkit.serving.limits import MAX_BATCH


@pytest.fixture()
def scorer() -> FakeScorer:
    return FakeScorer()


@pytest.fixture()
def client(scorer: FakeScorer):
    return create_app("fake", loader=lambda _: scorer, background=False).test_client()


def test_health_names_the_model(client) -> None:
    reply = client.get("/health")
    assert reply.status_code == 200
    assert reply.get_json() == {"status": "ok", "model": "fake-app", "version": "test-1"}


def test_predict_scores_each_transaction_in_order(client, scorer: FakeScorer) -> None:
    amounts = [10.0, 250.0, 100.0]
    body = {"transactions": [{**GOOD_TX, "transaction_id": f"t{i}", "tx_amount": a} for i, a in enumerate(amounts)]}
    reply = client.post("/predict", json=body)
    assert reply.status_code == 200
    predictions = reply.get_json()["predictions"]
    assert [p["transaction_id"] for p in predictions] == ["t0", "t1", "t2"]
    assert [p["fraud_probability"] for p in predictions] == pytest.approx([amount_score(a) for a in amounts])
    assert [p["is_fraud"] for p in predictions] == [False, True, True]
    assert predictions[1]["reasons"] == [{"feature": "F0", "contribution": pytest.approx(amount_score(250) - 0.5)}]
    assert [t.tx_datetime for t in scorer.scored] == [datetime(2018, 9, 1, 12, 34, 56)] * 3


def test_a_full_batch_is_accepted(client, scorer: FakeScorer) -> None:
    reply = client.post("/predict", json={"transactions": [GOOD_TX] * MAX_BATCH})
    assert reply.status_code == 200
    assert len(reply.get_json()["predictions"]) == MAX_BATCH == len(scorer.scored)


def test_feature_vectors_are_scored_without_touching_the_state(client, scorer: FakeScorer) -> None:
    rows = [[300.0] + [0.0] * 14, [0.0] * 15]
    reply = client.post("/predict", json={"features": rows, "ids": ["a", "b"]})
    assert reply.status_code == 200
    predictions = reply.get_json()["predictions"]
    assert [(p["transaction_id"], p["is_fraud"]) for p in predictions] == [("a", True), ("b", False)]
    assert scorer.rows == rows and scorer.scored == []


def test_feedback_reports_how_many_labels_were_applied(client, scorer: FakeScorer) -> None:
    body = {"transactions": [{**GOOD_TX, "is_fraud": True}, {**GOOD_TX, "transaction_id": "t2", "is_fraud": False}]}
    reply = client.post("/feedback", json=body)
    assert reply.status_code == 200
    assert reply.get_json() == {"applied": 2}
    assert [t.is_fraud for t in scorer.labelled] == [True, False]


def test_model_info_adds_the_serving_limits(client) -> None:
    info = client.get("/model-info").get_json()
    assert info["family"] == "fake" and info["threshold"] == 0.5 and len(info["features"]) == 15
    assert info["serving"]["max_batch"] == MAX_BATCH


def test_openapi_document_fixes_the_feature_row_length(client) -> None:
    doc = client.get("/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    assert set(doc["paths"]) == {"/health", "/predict", "/feedback", "/model-info", "/openapi.json"}
    row = doc["components"]["schemas"]["FeatureBatch"]["properties"]["features"]["items"]
    assert row["minItems"] == row["maxItems"] == 15
    assert doc["components"]["schemas"]["TransactionBatch"]["properties"]["transactions"]["maxItems"] == MAX_BATCH


def test_unknown_paths_and_methods_get_json_errors(client) -> None:
    assert client.get("/nowhere").status_code == 404
    reply = client.get("/predict")
    assert reply.status_code == 405 and "error" in reply.get_json()


def test_a_model_failure_is_a_json_500_not_a_crash() -> None:
    client = create_app("fake", loader=lambda _: FakeScorer(float("nan")), background=False).test_client()
    reply = client.post("/predict", json={"transactions": [GOOD_TX]})
    assert reply.status_code == 500
    assert reply.get_json() == {"error": "internal error (ValueError)"}
    assert client.get("/health").status_code == 200
