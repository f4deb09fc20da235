"""A real app served with the shared Redis store: instances share retries and labels, an outage gives 503s
(never a 500) and heals by itself, and four gunicorn servers round-robin (one killed and restarted mid-stream)
score a fresh world exactly as one server does."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
from redis_server import RedisServer

from fraudkit.app_folders import APPS_ROOT
from fraudkit.metrics import average_precision
from fraudkit.scorer import load_scorer
from fraudkit.serving.app_factory import create_app
from fraudkit.simulator import simulate
from fraudkit.state import OnlineFeatureState
from fraudkit.stream import replay

pytest.importorskip("redis")
sys.path.insert(0, str(APPS_ROOT / "benchmark"))
import multi_server  # noqa: E402

APP = "flask-logreg-app"
TX = {"transaction_id": "r1", "customer_id": 4, "terminal_id": 9, "tx_datetime": "2019-01-02T10:00:00"}
TX["tx_amount"] = 42.0


@pytest.fixture
def redis_server(tmp_path: Path):
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def app_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The logistic-regression app with its own small snapshot (the empty state), so seeding is instant."""
    target = tmp_path_factory.mktemp("apps") / APP
    shutil.copytree(APPS_ROOT / APP, target)
    OnlineFeatureState().save(target / "model" / "state.npz")
    return target


def _client(app_dir: Path, monkeypatch: pytest.MonkeyPatch, url: str):
    monkeypatch.setenv("FRAUDKIT_STATE_STORE", url)
    return create_app(app_dir).test_client()


def test_two_instances_share_retries_and_labels(app_copy, redis_server, monkeypatch):
    a, b = _client(app_copy, monkeypatch, redis_server.url), _client(app_copy, monkeypatch, redis_server.url)
    first = a.post("/predict", json={"transactions": [TX]}).get_json()
    assert b.post("/predict", json={"transactions": [TX]}).get_json() == first  # a retry on another task
    ghost = {**TX, "transaction_id": "never-scored", "is_fraud": True}
    reply = b.post("/feedback", json={"transactions": [{**TX, "is_fraud": True}, ghost]})
    assert reply.status_code == 200
    body = reply.get_json()
    assert body["applied"] == 1
    assert body["rejected"] == [
        {"transaction_id": "never-scored", "status": 422, "reason": "not a transaction scored at this terminal"}
    ]
    assert a.get("/model-info").get_json()["state"]["store"] == redis_server.url


def test_store_outage_gives_503_then_recovers(app_copy, redis_server, monkeypatch):
    client = _client(app_copy, monkeypatch, redis_server.url)
    assert client.get("/health").status_code == 200
    redis_server.stop()
    health = client.get("/health")
    assert health.status_code == 503 and health.get_json()["store"] == redis_server.url
    labelled = {**TX, "is_fraud": True}
    for path, body in (("/predict", {"transactions": [TX]}), ("/feedback", {"transactions": [labelled]})):
        reply = client.post(path, json=body)
        assert reply.status_code == 503, reply.get_data(as_text=True)
        assert reply.headers["Retry-After"] == "1"
        assert reply.get_json()["error"] == f"state store unavailable: {redis_server.url}"
    redis_server.start()  # empty again: the app re-seeds and reloads its scripts by itself
    assert client.get("/health").status_code == 200
    assert client.post("/predict", json={"transactions": [TX]}).status_code == 200


@pytest.mark.gunicorn
def test_four_servers_sharing_redis_score_as_one(app_copy, redis_server, tmp_path, monkeypatch):
    config = multi_server.world(customers=120, days=24)
    table = simulate(config)
    monkeypatch.delenv("FRAUDKIT_STATE_STORE", raising=False)
    scorer = load_scorer(app_copy)  # one process, in-process store: the reference
    reference = np.array([p.fraud_probability for p in replay(table, scorer.predict, scorer.feedback)])
    env = {"FRAUDKIT_STATE_STORE": redis_server.url, "FRAUDKIT_WORKERS": "2"}
    with multi_server.servers(app_copy, 4, env, tmp_path) as running:
        scores = multi_server.replay_http(table, running, restart_at_day=config.nb_days // 2)
    test = np.nonzero(table.tx_datetime >= table.tx_datetime.max().astype("datetime64[D]") - np.timedelta64(6, "D"))[0]
    y = table.tx_fraud[test]
    assert y.sum() > 0
    assert abs(average_precision(y, scores[test]) - average_precision(y, reference[test])) <= 0.005
    np.testing.assert_allclose(scores, reference, rtol=0, atol=1e-9)
