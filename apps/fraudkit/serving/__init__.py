"""The HTTP serving layer shared by every app: ``create_app(app_dir)`` builds the Flask app of one app folder."""

from fraudkit.serving.app_factory import create_app

__all__ = ["create_app"]
