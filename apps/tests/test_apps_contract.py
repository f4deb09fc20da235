"""The serving contract, run against every real app folder of the running interpreter's Python line.

scripts/test_apps.sh runs this file under .venvs/py39 (the -py39/_py39 apps, on a real Python 3.9) and under
.venvs/py312 (the others), so a new app folder is tested without new test code. An app whose trained artifacts
(model/) are not there yet is SKIPPED with a loud reason, never passed.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from bad_requests import BAD_REQUESTS, GOOD_TX, assert_refused, feature_rows_with_bad_value

from fraudkit.app_folders import find_app_dirs, load_app_module, python_version, read_manifest
from fraudkit.goals import AP_GOALS
from fraudkit.serving.limits import MAX_AMOUNT, MAX_BATCH, MAX_FEATURE_ABS, MAX_ID

RUNNING_LINE = f"{sys.version_info.major}.{sys.version_info.minor}"
LINE_APPS = [d for d in find_app_dirs() if python_version(d) == RUNNING_LINE]
SCORE_TOLERANCE = 1e-6
METRICS = ("auc_roc", "average_precision", "card_precision_at_100")

_clients: dict[str, Any] = {}


# Training writes these last, so an app being retrained right now is not loaded half-written.
TRAINED_MARKERS = ("model/metrics.json", "model/sample_scores.json")


def _require(app_dir: Path, *files: str) -> None:
    missing = [f for f in files or TRAINED_MARKERS if not (app_dir / f).exists()]
    if missing:
        pytest.skip(f"NOT TESTED: {app_dir.name} lacks {', '.join(missing)} (artifacts not committed yet)")


def _fresh_client(app_dir: Path) -> Any:
    app = load_app_module(app_dir).create_app()
    assert app.extensions["fraudkit_model"].wait(120), "model did not load within 120 s"
    return app.test_client()


def _client(app_dir: Path) -> Any:
    """One loaded app per folder for the tests that do not depend on the state being as shipped."""
    _require(app_dir)
    if app_dir.name not in _clients:
        _clients[app_dir.name] = _fresh_client(app_dir)
    return _clients[app_dir.name]


def _sample(app_dir: Path) -> dict[str, Any]:
    _require(app_dir)
    sample = json.loads((app_dir / "model" / "sample_scores.json").read_text(encoding="utf-8"))
    assert len(sample["transactions"]) == len(sample["scores"]) > 0
    return sample


app_dirs = pytest.mark.parametrize("app_dir", LINE_APPS, ids=lambda d: d.name)


@app_dirs
def test_runs_on_its_own_python_line(app_dir: Path) -> None:
    major, minor = (int(part) for part in read_manifest(app_dir)["python"].split("."))
    assert sys.version_info[:2] == (major, minor)


@app_dirs
def test_health_names_the_loaded_model(app_dir: Path) -> None:
    reply = _client(app_dir).get("/health")
    assert reply.status_code == 200
    body = reply.get_json()
    assert body["status"] == "ok" and body["model"] == app_dir.name and body["version"]


@app_dirs
def test_predict_replays_the_stored_sample_scores(app_dir: Path) -> None:
    sample = _sample(app_dir)
    client = _fresh_client(app_dir)  # the sample was scored from the shipped state, in order
    threshold = client.get("/model-info").get_json()["threshold"]
    transactions = sample["transactions"]
    predictions: list[dict[str, Any]] = []
    for start in range(0, len(transactions), MAX_BATCH):
        reply = client.post("/predict", json={"transactions": transactions[start : start + MAX_BATCH]})
        assert reply.status_code == 200, reply.get_json()
        predictions += reply.get_json()["predictions"]
    assert [p["transaction_id"] for p in predictions] == [t["transaction_id"] for t in transactions]
    got = [p["fraud_probability"] for p in predictions]
    assert got == pytest.approx(sample["scores"], abs=SCORE_TOLERANCE, rel=0)
    assert [p["is_fraud"] for p in predictions] == [s >= threshold for s in got]
    for p in predictions:
        assert all(isinstance(r["feature"], str) and isinstance(r["contribution"], float) for r in p["reasons"])


@app_dirs
def test_model_info_describes_the_model(app_dir: Path) -> None:
    info = _client(app_dir).get("/model-info").get_json()
    assert info["family"] == read_manifest(app_dir)["model_family"]
    assert 0.0 <= info["threshold"] <= 1.0
    assert info["features"] and all(isinstance(f, str) for f in info["features"])
    assert "training_metrics" in info or "metrics" in info
    assert info["serving"]["max_batch"] == MAX_BATCH


@app_dirs
def test_metrics_meet_the_family_goal(app_dir: Path) -> None:
    _require(app_dir, "model/metrics.json")
    metrics = json.loads((app_dir / "model" / "metrics.json").read_text(encoding="utf-8"))
    for name in METRICS:
        assert 0.0 <= metrics[name]["std"] and 0.0 <= metrics[name]["mean"] <= 1.0
    family = read_manifest(app_dir)["model_family"]
    goal = AP_GOALS[family]
    assert metrics["average_precision"]["mean"] >= goal, f"AP {metrics['average_precision']['mean']:.3f} < {goal}"


@app_dirs
def test_feature_vectors_are_scored(app_dir: Path) -> None:
    client = _client(app_dir)
    n = len(client.get("/model-info").get_json()["features"])
    reply = client.post("/predict", json={"features": [[0.0] * n, [1.0] * n], "ids": ["zeros", "ones"]})
    assert reply.status_code == 200, reply.get_json()
    predictions = reply.get_json()["predictions"]
    assert [p["transaction_id"] for p in predictions] == ["zeros", "ones"]
    assert all(0.0 <= p["fraud_probability"] <= 1.0 for p in predictions)


# Valid but extreme: the validation lets them through, so the model must score them (finite, in [0, 1]).
EXTREME_TRANSACTIONS = [
    {**GOOD_TX, "transaction_id": "zero", "customer_id": 0, "terminal_id": 0, "tx_amount": 0},
    {**GOOD_TX, "transaction_id": "max", "customer_id": MAX_ID, "terminal_id": MAX_ID, "tx_amount": MAX_AMOUNT},
    # The earliest and (about) the latest date the validation accepts; years beyond are refused (bad_requests).
    {**GOOD_TX, "transaction_id": "past", "tx_datetime": "2000-01-01T00:00:00Z"},
    {**GOOD_TX, "transaction_id": "future", "tx_datetime": f"{datetime.now(timezone.utc):%Y-%m-%dT%H:%M:%S}Z"},
    {**GOOD_TX, "transaction_id": "back-in-time", "tx_datetime": "2018-01-01T00:00:00+14:00"},
]


@app_dirs
def test_extreme_valid_inputs_get_finite_scores(app_dir: Path) -> None:
    client = _client(app_dir)
    n = len(client.get("/model-info").get_json()["features"])
    bodies = [
        {"transactions": EXTREME_TRANSACTIONS},
        {"features": [[MAX_FEATURE_ABS] * n, [-MAX_FEATURE_ABS] * n, [0.0] * n]},
    ]
    for body in bodies:
        reply = client.post("/predict", json=body)
        assert reply.status_code == 200, reply.get_json()
        assert all(0.0 <= p["fraud_probability"] <= 1.0 for p in reply.get_json()["predictions"])
    assert client.get("/health").status_code == 200


@app_dirs
def test_feedback_applies_labels(app_dir: Path) -> None:
    transactions = _sample(app_dir)["transactions"][:5]
    labelled = [{**t, "is_fraud": i % 2 == 0} for i, t in enumerate(transactions)]
    reply = _client(app_dir).post("/feedback", json={"transactions": labelled})
    assert reply.status_code == 200
    assert 0 <= reply.get_json()["applied"] <= len(labelled)


@app_dirs
def test_bad_inputs_are_refused_and_the_app_keeps_serving(app_dir: Path) -> None:
    client = _client(app_dir)
    n = len(client.get("/model-info").get_json()["features"])
    for bad in BAD_REQUESTS + feature_rows_with_bad_value(n):
        assert_refused(client, bad)
    assert client.get("/health").status_code == 200
