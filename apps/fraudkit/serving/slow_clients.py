"""A total time bound on reading a request body (WSGI middleware), against slow-body clients.

gunicorn's gevent worker bounds the wait for a request head (its keepalive timeout) but not the body: a client
that sends one byte now and then holds its connection for as long as it likes. This middleware gives the whole
body ``seconds`` from the moment the app is called. Under gevent each read runs under a ``gevent.Timeout`` of
the time left, which interrupts gunicorn's read loop wherever it waits; elsewhere (a threaded worker) the socket
timeout is set to the time left, which bounds each wait for data but not a trickle. On expiry the read side of
the socket is shut (gunicorn then closes the connection instead of waiting for the rest of the body) and the
request fails with a 408.
"""

from __future__ import annotations

import contextlib
import math
import os
import socket
import sys
import time
from typing import Any, Callable, Iterable, Iterator, Mapping

from werkzeug.exceptions import RequestTimeout

BODY_TIMEOUT_SECONDS = 10.0
"""How long a client may take to send a whole request body (2 MB at most) once its head has arrived."""

BODY_TIMEOUT_ENV = "FRAUDKIT_BODY_TIMEOUT_SECONDS"
"""Environment variable overriding ``BODY_TIMEOUT_SECONDS``."""


def body_timeout_seconds(environ: Mapping[str, str] = os.environ) -> float:
    """The configured body deadline; ``ValueError`` naming the variable on a bad value."""
    raw = environ.get(BODY_TIMEOUT_ENV, "").strip()
    if not raw:
        return BODY_TIMEOUT_SECONDS
    try:
        seconds = float(raw)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and 0 < seconds <= 3600):
        raise ValueError(f"{BODY_TIMEOUT_ENV}: expected seconds between 0 and 3600, got {raw!r}")
    return seconds


WsgiApp = Callable[[dict, Callable[..., Any]], Iterable[bytes]]


class BodyTimeout(RequestTimeout):
    """The client did not send its body in time (a 408 through the app's HTTP error handler)."""

    description = "body: not received in time"


class _DeadlineInput:
    """``wsgi.input`` with a deadline: every read gets at most the time left on the socket."""

    def __init__(self, stream: Any, sock: Any, deadline: float) -> None:
        self._stream = stream
        self._sock = sock
        self._deadline = deadline

    def _call(self, method: Callable[..., Any], *args: Any) -> Any:
        left = self._deadline - time.monotonic()
        previous = self._sock.gettimeout()
        try:
            if left <= 0:
                raise socket.timeout("body deadline passed")
            self._sock.settimeout(left)
            with _greenlet_deadline(left):
                return method(*args)
        except socket.timeout:
            try:
                self._sock.shutdown(socket.SHUT_RD)
            except OSError:
                pass  # already gone
            raise BodyTimeout() from None
        finally:
            try:
                self._sock.settimeout(previous)
            except OSError:
                pass

    def read(self, size: int | None = None) -> bytes:
        return self._call(self._stream.read, size)

    def readline(self, size: int | None = None) -> bytes:
        return self._call(self._stream.readline, size)

    def readlines(self, hint: int | None = None) -> list[bytes]:
        return self._call(self._stream.readlines, hint)

    def __iter__(self) -> Iterator[bytes]:
        while True:
            line = self.readline()
            if not line:
                return
            yield line


def _greenlet_deadline(seconds: float) -> Any:
    """A ``gevent.Timeout`` raising ``socket.timeout`` when gevent has patched sockets, else a no-op."""
    monkey = sys.modules.get("gevent.monkey")
    if monkey is None or not monkey.is_module_patched("socket"):
        return contextlib.nullcontext()
    import gevent

    return gevent.Timeout(seconds, socket.timeout("body deadline passed"))


class BodyDeadline:
    """WSGI middleware: the request body must arrive within ``seconds`` (only under gunicorn, which hands the
    client socket over as ``gunicorn.socket``; the test client and other servers are left as they are)."""

    def __init__(self, app: WsgiApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    def __call__(self, environ: dict, start_response: Callable[..., Any]) -> Iterable[bytes]:
        sock = environ.get("gunicorn.socket")
        # Duck-typed: under the gevent worker this is gevent's cooperative socket, whose timeouts work the same.
        if hasattr(sock, "settimeout") and hasattr(sock, "shutdown") and "wsgi.input" in environ:
            environ["wsgi.input"] = _DeadlineInput(environ["wsgi.input"], sock, time.monotonic() + self.seconds)
        return self.app(environ, start_response)
