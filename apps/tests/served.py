"""A real gunicorn with the images' config (fraudkit.serving.gunicorn_conf) on a free 127.0.0.1 port, for the
tests that need real sockets: ``with Served(env) as server: ...``, then ``server.log`` holds its output."""

from __future__ import annotations

import http.client
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Mapping

from fraudkit.local_server import free_port, gunicorn_command, gunicorn_env

TESTS_DIR = Path(__file__).resolve().parent


def request(
    port: int, method: str, path: str, body: bytes = b"", headers: Mapping[str, str] | None = None, timeout: float = 10
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP request on a new connection: status, headers, body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body or None, headers=dict(headers or {}))
        reply = connection.getresponse()
        return reply.status, dict(reply.getheaders()), reply.read()
    finally:
        connection.close()


class Served:
    """gunicorn serving ``app`` (from the tests folder) with ``env`` added to this environment."""

    def __init__(self, env: Mapping[str, str], app: str = "fake_app:create_app()", cwd: Path = TESTS_DIR) -> None:
        self.port = free_port()
        self.env = gunicorn_env(self.port, env, paths=[TESTS_DIR])
        self.app = app
        self.cwd = cwd
        self.log = ""
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Served:
        # The log goes to a file, not a pipe: a pipe nobody reads fills up (64 KiB, some 800 access-log lines)
        # and then blocks the server in its next log write.
        self._log_file = tempfile.TemporaryFile()
        self._process = subprocess.Popen(
            gunicorn_command(self.app), cwd=self.cwd, env=self.env, stdout=self._log_file, stderr=subprocess.STDOUT
        )
        return self

    def wait_listening(self, timeout: float = 30) -> list[int]:
        """Polls /health until it answers 200; returns the statuses seen."""
        statuses: list[int] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and 200 not in statuses:
            try:
                statuses.append(request(self.port, "GET", "/health", timeout=5)[0])
            except OSError:
                pass  # not listening yet
            time.sleep(0.05)
        return statuses

    def __exit__(self, *_: object) -> None:
        assert self._process is not None
        self._process.terminate()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._log_file.seek(0)
        self.log = self._log_file.read().decode(errors="replace")
        self._log_file.close()
