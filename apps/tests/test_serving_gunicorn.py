"""A real gunicorn (the image's config) on 127.0.0.1: /health goes 503 -> 200 while the model loads in the
background, bad requests get JSON errors, and the one worker survives them all."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bad_requests import BAD_REQUESTS, GOOD_TX

from fraudkit.serving.healthcheck import probe

TESTS_DIR = Path(__file__).resolve().parent
LOAD_SECONDS = 3.0

pytestmark = pytest.mark.gunicorn


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _request(port: int, method: str, path: str, body: bytes = b"", content_type: str = "") -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = {"Content-Type": content_type} if content_type else {}
        connection.request(method, path, body=body or None, headers=headers)
        reply = connection.getresponse()
        return reply.status, reply.read()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(TESTS_DIR.parent), str(TESTS_DIR)]),
        "FRAUDKIT_BIND": f"127.0.0.1:{port}",
        "FAKE_LOAD_SECONDS": str(LOAD_SECONDS),
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:fraudkit.serving.gunicorn_conf",
        "fake_app:create_app()",
    ]
    process = subprocess.Popen(command, cwd=TESTS_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    statuses: list[int] = []
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline and 200 not in statuses:
            try:
                statuses.append(_request(port, "GET", "/health")[0])
            except OSError:
                pass  # not listening yet
            time.sleep(0.1)
        yield port, statuses
    finally:
        process.terminate()
        log = process.communicate(timeout=30)[0].decode()
        print(log)
    # After the module's tests: the worker must have booted exactly once (no crash, no restart).
    assert log.count("Booting worker") == 1, log


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
    assert not probe(f"http://127.0.0.1:{_free_port()}/health", timeout=1)
