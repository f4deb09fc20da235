"""The ceiling of the serving stack: a hello-world Flask app that the benchmark serves with the apps' gunicorn
config. POST /predict reads the body and answers a constant JSON body; GET /health answers 200."""

from flask import Flask, jsonify, request


def create_app() -> Flask:
    """gunicorn entry point, as in every app folder."""
    app = Flask("hello")

    @app.get("/health")
    def health():
        return jsonify({"status": "ok"})

    @app.post("/predict")
    def predict():
        request.get_data()  # every app reads its body
        return jsonify({"predictions": []})

    return app
