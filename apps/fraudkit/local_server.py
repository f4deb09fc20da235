"""The command line and environment of a local gunicorn with the images' config
(``fraudkit.serving.gunicorn_conf``) on a free 127.0.0.1 port: what the tests and the benchmarks start.
Not in the images (they run the Dockerfile's CMD)."""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from fraudkit.app_folders import APPS_ROOT

GUNICORN_CONFIG = "python:fraudkit.serving.gunicorn_conf"
"""The images' gunicorn settings, as the Dockerfile's CMD names them."""


def free_port() -> int:
    """A TCP port nobody listens on right now (127.0.0.1)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def gunicorn_command(app: str = "app:create_app()") -> list[str]:
    """gunicorn of this interpreter serving ``app`` (run it from the folder that holds the app's module)."""
    return [sys.executable, "-m", "gunicorn", "--config", GUNICORN_CONFIG, app]


def gunicorn_env(port: int, extra: Mapping[str, str] | None = None, paths: Sequence[Path] = ()) -> dict[str, str]:
    """This process's environment with apps/ and ``paths`` first on PYTHONPATH, FRAUDKIT_BIND on
    127.0.0.1:``port``, then ``extra`` (which may override any of them)."""
    python_path = [str(APPS_ROOT), *map(str, paths), os.environ.get("PYTHONPATH", "")]
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in python_path if p),
        "FRAUDKIT_BIND": f"127.0.0.1:{port}",
        **(extra or {}),
    }
