"""Slow clients against a real gunicorn with the images' config: 64 slowloris (head) and slow-body connections
leave /health and /predict answering, the server drops them by itself, and /health answers 503 while the
model loads."""

from __future__ import annotations

import json
import socket
import time

import pytest
from bad_requests import GOOD_TX
from served import Served, request

pytestmark = pytest.mark.gunicorn

SLOW = 64
BODY_TIMEOUT = 2.0
KEEPALIVE = 5.0  # gunicorn_conf.keepalive: the gevent worker's bound on reading a request head
LOAD_SECONDS = 2.0
BOUND = 1.0  # seconds any /health or /predict may take while the slow clients hang on

PREDICT = json.dumps({"transactions": [GOOD_TX]}).encode()


def _timed(port: int, method: str, path: str, body: bytes = b"") -> tuple[int, float]:
    start = time.monotonic()
    headers = {"Content-Type": "application/json"} if body else {}
    status = request(port, method, path, body, headers, timeout=10)[0]
    return status, time.monotonic() - start


@pytest.fixture(scope="module")
def served():
    env = {"FAKE_LOAD_SECONDS": str(LOAD_SECONDS), "FRAUDKIT_BODY_TIMEOUT_SECONDS": str(BODY_TIMEOUT)}
    with Served(env) as server:
        yield server
    assert server.log.count("Booting worker") == 1, server.log


def test_health_answers_503_quickly_while_the_model_loads(served) -> None:
    answers: list[tuple[int, float]] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (not answers or answers[-1][0] != 200):
        try:
            answers.append(_timed(served.port, "GET", "/health"))
        except OSError:
            time.sleep(0.05)  # not listening yet
    statuses = [status for status, _ in answers]
    assert statuses[-1] == 200 and statuses.count(503) >= 3, answers
    # The load (waiting, like a model read from disk) kept the event loop free. (The first request waited in the
    # listen backlog for the worker to boot.)
    assert max(seconds for _, seconds in answers[1:]) < BOUND, answers


def _slowloris(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
    return sock


def _slow_body(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    head = f"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {len(PREDICT)}\r\n"
    sock.sendall(head.encode() + b"\r\n" + PREDICT[:5])
    return sock


def _closed(sock: socket.socket) -> tuple[bool, bytes]:
    """Whether the server has closed ``sock`` (reading what it sent first), without blocking."""
    sock.setblocking(False)
    data = b""
    try:
        while True:
            chunk = sock.recv(4096)
            if not chunk:
                return True, data
            data += chunk
    except BlockingIOError:
        return False, data
    except OSError:
        return True, data
    finally:
        sock.setblocking(True)


def test_64_slow_clients_leave_health_and_predict_answering(served) -> None:
    assert served.wait_listening()[-1] == 200
    heads = [_slowloris(served.port) for _ in range(SLOW // 2)]
    bodies = [_slow_body(served.port) for _ in range(SLOW // 2)]
    opened = time.monotonic()
    timings: list[tuple[str, int, float]] = []
    body_replies: dict[int, bytes] = {}
    heads_closed_at: dict[int, float] = {}
    try:
        while time.monotonic() - opened < KEEPALIVE + 2 and len(heads_closed_at) < len(heads):
            # Each slow client sends one more byte, as slowloris does to stay under any idle timeout.
            for i, sock in enumerate(heads):
                if i not in heads_closed_at:
                    try:
                        sock.sendall(b"X")
                    except OSError:
                        heads_closed_at[i] = time.monotonic() - opened
            trickling = time.monotonic() - opened < BODY_TIMEOUT - 0.5
            for i, sock in enumerate(bodies):
                if i not in body_replies:
                    closed, data = _closed(sock)
                    if closed:
                        body_replies[i] = data
                    elif trickling:
                        # A byte now and then, well within any per-read timeout. (Stopped before the deadline:
                        # a byte sent to a socket the server has closed makes it reset, losing the 408.)
                        sock.sendall(b" ")
            for sock_index, sock in enumerate(heads):
                if sock_index not in heads_closed_at and _closed(sock)[0]:
                    heads_closed_at[sock_index] = time.monotonic() - opened
            timings.append(("health", *_timed(served.port, "GET", "/health")))
            timings.append(("predict", *_timed(served.port, "POST", "/predict", PREDICT)))
            time.sleep(0.2)
    finally:
        for sock in heads + bodies:
            sock.close()

    assert all(status == 200 for _, status, _ in timings), timings
    assert max(seconds for _, _, seconds in timings) < BOUND, timings
    assert len(timings) >= 20, timings  # the slow clients were there for all of it
    # The server dropped them itself: bodies after the body deadline with a 408, heads after keepalive.
    assert len(body_replies) == len(bodies), f"{len(body_replies)} of {len(bodies)} slow bodies dropped"
    assert all(reply.startswith(b"HTTP/1.1 408") for reply in body_replies.values()), set(body_replies.values())
    assert len(heads_closed_at) == len(heads), f"{len(heads_closed_at)} of {len(heads)} slowloris heads dropped"
    assert max(heads_closed_at.values()) < KEEPALIVE + 2
