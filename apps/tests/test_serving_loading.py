"""Model loading: synchronous in the factory, or in the background with /health 503 until it is done."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from bad_requests import GOOD_TX
from fake_scorer import FakeScorer

from fraudkit.serving import create_app
from fraudkit.serving.app_factory import LOAD_MODE_ENV


def _holder(app):
    return app.extensions["fraudkit_model"]


def test_background_load_answers_503_until_the_model_is_there() -> None:
    release = threading.Event()

    def slow_loader(_: Path) -> FakeScorer:
        release.wait(10)
        return FakeScorer()

    app = create_app("fake", loader=slow_loader, background=True)
    client = app.test_client()
    health = client.get("/health")
    assert health.status_code == 503 and health.get_json()["status"] == "loading"
    assert client.post("/predict", json={"transactions": [GOOD_TX]}).status_code == 503
    assert client.get("/model-info").status_code == 503
    assert client.get("/openapi.json").status_code == 200

    release.set()
    assert _holder(app).wait(10)
    assert client.get("/health").get_json()["status"] == "ok"
    assert client.post("/predict", json={"transactions": [GOOD_TX]}).status_code == 200


def test_a_failed_background_load_stays_visible_as_503() -> None:
    def broken_loader(_: Path) -> FakeScorer:
        raise FileNotFoundError("model/model.json")

    app = create_app("fake", loader=broken_loader, background=True)
    assert _holder(app).wait(10)
    client = app.test_client()
    health = client.get("/health")
    assert health.status_code == 503
    assert health.get_json()["status"] == "failed" and "model/model.json" in health.get_json()["error"]
    reply = client.post("/predict", json={"transactions": [GOOD_TX]})
    assert reply.status_code == 503 and reply.get_json()["error"] == "model: failed to load"


def test_a_synchronous_load_failure_raises_at_start_up() -> None:
    def broken_loader(_: Path) -> FakeScorer:
        raise FileNotFoundError("model/model.json")

    with pytest.raises(FileNotFoundError):
        create_app("fake", loader=broken_loader, background=False)


def test_the_environment_chooses_background_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(LOAD_MODE_ENV, "background")
    started = threading.Event()
    release = threading.Event()

    def loader(_: Path) -> FakeScorer:
        started.set()
        release.wait(10)
        return FakeScorer()

    app = create_app("fake", loader=loader)
    assert started.wait(10)
    assert app.test_client().get("/health").status_code == 503
    release.set()
    assert _holder(app).wait(10)


def test_the_model_loads_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(LOAD_MODE_ENV, raising=False)
    calls: list[Path] = []

    def counting_loader(app_dir: Path) -> FakeScorer:
        calls.append(app_dir)
        return FakeScorer()

    client = create_app("fake", loader=counting_loader).test_client()
    for _ in range(3):
        client.post("/predict", json={"transactions": [GOOD_TX]})
        client.get("/health")
    assert len(calls) == 1 and calls[0].name == "fake"
