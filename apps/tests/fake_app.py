"""A gunicorn entry point serving ``FakeScorer`` (for the tests that run a real gunicorn): ``fake_app:create_app()``.

``FAKE_LOAD_SECONDS`` delays the load, so a test can watch /health go from 503 to 200.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from fake_scorer import FakeScorer
from flask import Flask

from fraudkit.serving import create_app as create_serving_app


def _slow_loader(app_dir: Path) -> FakeScorer:
    time.sleep(float(os.environ.get("FAKE_LOAD_SECONDS", "0")))
    return FakeScorer()


def create_app() -> Flask:
    """The serving app over a fake model."""
    return create_serving_app(Path(__file__).parent, loader=_slow_loader)
