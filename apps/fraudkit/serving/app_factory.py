"""The Flask app factory every app's ``app.py`` calls: one serving contract for all twelve apps.

Routes: ``GET /health``, ``POST /predict``, ``POST /feedback``, ``GET /model-info``, ``GET /openapi.json``;
/feedback takes a labelling key, the others but /health a scoring key (``fraudkit.serving.auth``).
Every error is a JSON ``{"error": ..., "field": ...}`` with a 4xx status (503 while the model is not loaded);
an unexpected failure is logged and answered with a JSON 500, so a worker never dies on a request.
"""

from __future__ import annotations

import json
import logging
import math
import os
from pathlib import Path
from typing import Any

import orjson
from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from fraudkit import __version__
from fraudkit.batching import tracked_request
from fraudkit.records import Prediction, Scorer, ScorerLoader
from fraudkit.serving.auth import LABELLING, SCORING, protect
from fraudkit.serving.limits import MAX_BATCH, MAX_BODY_BYTES
from fraudkit.serving.model_holder import ModelHolder
from fraudkit.serving.openapi import build_openapi
from fraudkit.serving.slow_clients import BodyDeadline
from fraudkit.serving.validation import FeatureBatch, RequestError, parse_feedback, parse_json, parse_predict
from fraudkit.store import StoreUnavailable

log = logging.getLogger(__name__)

LOAD_MODE_ENV = "FRAUDKIT_LOAD"
"""Environment variable: ``background`` loads the model in a thread (gunicorn sets it); anything else loads
in the factory."""


STORE_RETRY_AFTER_SECONDS = 1
"""Retry-After of a 503 while the shared state store is unreachable."""


def _feedback_body(scorer: Scorer, labelled: list[Any]) -> dict[str, Any]:
    """``{"applied": n}``, plus ``rejected``: one ``{transaction_id, status, reason}`` per refused label
    (422 unknown or too old, 429 over the terminal's daily cap), when the Scorer reports verdicts."""
    verdicts = getattr(scorer, "feedback_verdicts", None)
    if verdicts is None:
        return {"applied": int(scorer.feedback(labelled))}
    results = verdicts(labelled)
    rejected = [
        {"transaction_id": tx.transaction_id, "status": 429 if "cap" in reason else 422, "reason": reason}
        for tx, reason in zip(labelled, results)
        if reason
    ]
    body: dict[str, Any] = {"applied": len(results) - len(rejected)}
    if rejected:
        body["rejected"] = rejected
    return body


def _default_loader(app_dir: Path) -> Scorer:
    # Imported here so the HTTP layer (and its tests) do not depend on the model libraries.
    from fraudkit.scorer import load_scorer

    return load_scorer(app_dir)


def _app_name(app_dir: Path) -> str:
    try:
        manifest = json.loads((app_dir / "manifest.json").read_text(encoding="utf-8"))
        return str(manifest["name"])
    except (OSError, ValueError, KeyError, TypeError):
        return app_dir.name


def prediction_json(prediction: Prediction) -> dict[str, Any]:
    """One Prediction as the API returns it (plain JSON types; a non-finite score is a model bug)."""
    probability = float(prediction.fraud_probability)
    if not math.isfinite(probability):
        raise ValueError(f"model returned a non-finite probability for {prediction.transaction_id}")
    return {
        "transaction_id": prediction.transaction_id,
        "fraud_probability": probability,
        "is_fraud": bool(prediction.is_fraud),
        "reasons": [{"feature": r.feature, "contribution": float(r.contribution)} for r in prediction.reasons],
    }


def _json_body() -> Any:
    if request.mimetype != "application/json":
        got = request.mimetype or "no content type"
        raise RequestError(f"Content-Type: expected application/json, got {got}", status=415, field="Content-Type")
    raw = request.get_data(cache=False)
    try:
        # orjson is strict RFC 8259 (no NaN/Infinity, valid UTF-8 only), so what it accepts the stdlib path
        # accepts too; anything it refuses goes through parse_json for the same error message as ever.
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return parse_json(raw)


def _json_response(body: Any) -> Response:
    """A 200 JSON reply encoded by orjson (several times faster than Flask's json provider on predictions)."""
    return Response(orjson.dumps(body), mimetype="application/json")


def _register_errors(app: Flask) -> None:
    @app.errorhandler(RequestError)
    def client_error(error: RequestError) -> tuple[Response, int]:
        body = {"error": error.message}
        if error.field:
            body["field"] = error.field
        return jsonify(body), error.status

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(_: RequestEntityTooLarge) -> tuple[Response, int]:
        return jsonify({"error": f"body: larger than {MAX_BODY_BYTES} bytes", "field": "body"}), 413

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        response = jsonify({"error": f"{error.name}: {error.description}"})
        response.status_code = error.code or 500
        # Keep the headers the error carries (e.g. Allow on a 405), not its HTML content type.
        for key, value in error.get_headers():
            if key.lower() != "content-type":
                response.headers[key] = value
        return response

    @app.errorhandler(StoreUnavailable)
    def store_unavailable(error: StoreUnavailable) -> tuple[Response, int, dict[str, str]]:
        # Nothing of the request was recorded (one atomic script per request): the client retries as is.
        log.warning("state store %s unavailable: %s", error.store, error.reason)
        body = {"error": f"state store unavailable: {error.store}", "store": error.store}
        return jsonify(body), 503, {"Retry-After": str(STORE_RETRY_AFTER_SECONDS)}

    @app.errorhandler(Exception)
    def internal_error(error: Exception) -> tuple[Response, int]:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return jsonify({"error": f"internal error ({type(error).__name__})"}), 500


def create_app(
    app_dir: Path | str,
    *,
    loader: ScorerLoader | None = None,
    background: bool | None = None,
    max_batch: int = MAX_BATCH,
) -> Flask:
    """Builds the serving app for the app folder ``app_dir`` and starts loading its model.

    ``loader`` defaults to ``fraudkit.scorer.load_scorer``; ``background`` defaults to the ``FRAUDKIT_LOAD``
    environment variable (``background`` under gunicorn, see ``gunicorn_conf``), else the model loads here and
    a load failure raises. ``max_batch`` lowers the batch limit (the fuzz tests use it to keep examples small).
    """
    app_dir = Path(app_dir).resolve()
    holder = ModelHolder(app_dir, loader or _default_loader)
    if background is None:
        background = os.environ.get(LOAD_MODE_ENV, "") == "background"
    if background:
        holder.load_in_background()
    else:
        holder.load()

    name = _app_name(app_dir)
    app = Flask(name)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.extensions["fraudkit_model"] = holder
    _register_errors(app)
    # Endpoints not listed here need a scoring key: a route added later is closed until it is listed.
    scopes = {"health": None, "feedback": LABELLING, "predict": SCORING, "model_info": SCORING, "openapi": SCORING}
    guard = protect(app, scopes)
    app.wsgi_app = BodyDeadline(app.wsgi_app, guard.body_timeout_seconds)  # type: ignore[method-assign]

    def ready() -> Scorer:
        scorer = holder.scorer
        if scorer is None:
            raise RequestError("model: not loaded yet" if holder.error is None else "model: failed to load", 503)
        return scorer

    @app.get("/health")
    def health() -> tuple[Response, int]:
        scorer = holder.scorer
        if scorer is not None:
            store_error = holder.store_error()
            if store_error is not None:
                return jsonify({"status": "store-unavailable", "model": scorer.name, "store": store_error}), 503
            return jsonify({"status": "ok", "model": scorer.name, "version": scorer.version}), 200
        if holder.error is not None:
            return jsonify({"status": "failed", "model": name, "error": holder.error}), 503
        return jsonify({"status": "loading", "model": name}), 503

    @app.post("/predict")
    def predict() -> Response:
        scorer = ready()
        body = _json_body()
        with tracked_request():  # from here on, a batch leader may wait for this request's rows
            parsed = parse_predict(body, len(scorer.feature_names), max_batch)
            if isinstance(parsed, FeatureBatch):
                predictions = scorer.predict_features(parsed.ids, parsed.rows)
            else:
                predictions = scorer.predict(parsed)
        return _json_response({"predictions": [prediction_json(p) for p in predictions]})

    @app.post("/feedback")
    def feedback() -> Response:
        scorer = ready()
        return jsonify(_feedback_body(scorer, parse_feedback(_json_body(), max_batch)))

    @app.get("/model-info")
    def model_info() -> Response:
        info = dict(ready().info())
        info["serving"] = {"max_batch": max_batch, "max_body_bytes": MAX_BODY_BYTES, **guard.describe()}
        return jsonify(info)

    @app.get("/openapi.json")
    def openapi() -> Response:
        scorer = holder.scorer
        n_features = len(scorer.feature_names) if scorer is not None else None
        version = scorer.version if scorer is not None else __version__
        return jsonify(build_openapi(name, version, n_features, max_batch, auth=guard.ring.enabled))

    return app
