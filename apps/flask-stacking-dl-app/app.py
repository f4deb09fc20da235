"""flask-stacking-dl-app: serves the model in this folder through the shared serving layer (fraudkit.serving)."""

from pathlib import Path

from flask import Flask

from fraudkit.serving import create_app as create_serving_app


def create_app() -> Flask:
    """gunicorn entry point: ``gunicorn --config python:fraudkit.serving.gunicorn_conf "app:create_app()"``."""
    return create_serving_app(Path(__file__).resolve().parent)
