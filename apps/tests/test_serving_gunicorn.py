"""A real gunicorn (the image's config) on 127.0.0.1: /health goes 503 -> 200 while the model loads in the
background, bad requests get JSON errors, and the one worker survives them all."""

from __future__ import annotations

import json

import pytest
from bad_requests import BAD_REQUESTS, GOOD_TX
from served import Served, request

from fraudkit.local_server import free_port
from fraudkit.serving.healthcheck import probe

LOAD_SECONDS = 3.0

pytestmark = pytest.mark.gunicorn


def _request(port: int, method: str, path: str, body: bytes = b"", content_type: str = "") -> tuple[int, bytes]:
    status, _, reply = request(port, method, path, body, {"Content-Type": content_type} if content_type else {})
    return status, reply


@pytest.fixture(scope="module")
def server():
    with Served({"FAKE_LOAD_SECONDS": str(LOAD_SECONDS)}) as served:
        yield served.port, served.wait_listening()
    print(served.log)
    # After the module's tests: the worker must have booted exactly once (no crash, no restart).
    assert served.log.count("Booting worker") == 1, served.log


def test_health_is_503_while_loading_then_200(server) -> None:
    _, statuses = server
    assert statuses[0] == 503 and statuses[-1] == 200, statuses


def test_predict_answers_over_http(server) -> None:
    port, _ = server
    status, body = _request(
        port, "POST", "/predict", json.dumps({"transactions": [GOOD_TX]}).encode(), "application/json"
    )
    assert status == 200
    assert json.loads(body)["predictions"][0]["transaction_id"] == "t1"


@pytest.mark.parametrize("bad", BAD_REQUESTS, ids=lambda b: b.name)
def test_bad_requests_get_json_errors_and_the_worker_lives(server, bad) -> None:
    port, _ = server
    status, body = _request(port, "POST", bad.path, bad.body, bad.content_type)
    assert status == bad.status
    assert json.loads(body)["field"] == bad.field
    assert _request(port, "GET", "/health")[0] == 200


def test_the_docker_healthcheck_probe(server) -> None:
    port, _ = server
    assert probe(f"http://127.0.0.1:{port}/health")
    assert not probe(f"http://127.0.0.1:{port}/nowhere")
    assert not probe(f"http://127.0.0.1:{free_port()}/health", timeout=1)
