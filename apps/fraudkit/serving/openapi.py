"""The OpenAPI 3.0 document of the serving API, built from the same limits the validation enforces."""

from __future__ import annotations

from typing import Any

from fraudkit.serving.limits import (
    MAX_AMOUNT,
    MAX_BATCH,
    MAX_BODY_BYTES,
    MAX_FEATURE_ABS,
    MAX_ID,
    MAX_TRANSACTION_ID_LENGTH,
)
from fraudkit.serving.validation import DATETIME_PATTERN

_ID = {"type": "integer", "format": "int64", "minimum": 0, "maximum": MAX_ID}
_TX_ID = {"type": "string", "minLength": 1, "maxLength": MAX_TRANSACTION_ID_LENGTH}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _transaction_schema(labelled: bool) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "transaction_id": _TX_ID,
        "customer_id": _ID,
        "terminal_id": _ID,
        "tx_datetime": {
            "type": "string",
            "pattern": DATETIME_PATTERN,
            "description": "ISO 8601; without an offset the time is taken as UTC",
            "example": "2018-09-01T12:34:56",
        },
        "tx_amount": {"type": "number", "minimum": 0, "maximum": MAX_AMOUNT, "example": 57.35},
    }
    if labelled:
        properties["is_fraud"] = {"type": "boolean"}
    return {
        "type": "object",
        "required": list(properties),
        "properties": properties,
        "additionalProperties": False,
    }


def _batch_of(item: dict[str, Any], max_batch: int) -> dict[str, Any]:
    return {"type": "array", "minItems": 1, "maxItems": max_batch, "items": item}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _request(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _errors(max_batch: int, *codes: int) -> dict[str, Any]:
    meaning = {
        400: "invalid JSON or a field that fails validation (the message names it)",
        401: "no valid key: send Authorization: Bearer <key>",
        403: "a valid key of the other scope",
        408: "the body did not arrive in time",
        413: f"more than {max_batch} items, or a body over {MAX_BODY_BYTES} bytes",
        415: "the body is not application/json",
        429: "rate limit exceeded: retry after Retry-After seconds",
        503: "the model is not loaded (yet), the service is misconfigured (see /health), or the shared state "
        "store is unreachable (Retry-After; retry as is)",
    }
    responses = {}
    for code in codes:
        responses[str(code)] = _json(_ref("Error"), meaning[code])
        if code == 429:
            responses[str(code)]["headers"] = {"Retry-After": {"schema": {"type": "integer", "minimum": 1}}}
    return responses


# One security scheme per scope, so the document says which key each operation takes.
_SCHEMES = {
    "scoringKey": "a scoring key: /predict, /model-info, /openapi.json",
    "labellingKey": "a labelling key: /feedback only (it cannot score)",
}


def _guarded(operation: dict[str, Any], scheme: str, auth: bool, max_batch: int) -> dict[str, Any]:
    """An operation behind a key (when auth is on) and the rate limit."""
    codes = (401, 403, 429) if auth else (429,)
    operation["responses"].update(_errors(max_batch, *codes))
    if auth:
        operation["security"] = [{scheme: []}]
    return operation


def _schemas(n_features: int | None, max_batch: int) -> dict[str, Any]:
    row: dict[str, Any] = {
        "type": "array",
        "items": {"type": "number", "minimum": -MAX_FEATURE_ABS, "maximum": MAX_FEATURE_ABS},
        "description": "one value per entry of /model-info 'features', in that order",
    }
    if n_features is not None:
        row.update(minItems=n_features, maxItems=n_features)
    reason = {
        "type": "object",
        "required": ["feature", "contribution"],
        "properties": {"feature": {"type": "string"}, "contribution": {"type": "number"}},
    }
    prediction = {
        "type": "object",
        "required": ["transaction_id", "fraud_probability", "is_fraud", "reasons"],
        "properties": {
            "transaction_id": {"type": "string"},
            "fraud_probability": {"type": "number", "minimum": 0, "maximum": 1},
            "is_fraud": {"type": "boolean", "description": "fraud_probability at or above the app's threshold"},
            "reasons": {"type": "array", "items": reason, "description": "top contributing features, if any"},
        },
    }
    return {
        "Transaction": _transaction_schema(labelled=False),
        "LabelledTransaction": _transaction_schema(labelled=True),
        "TransactionBatch": {
            "type": "object",
            "required": ["transactions"],
            "properties": {"transactions": _batch_of(_ref("Transaction"), max_batch)},
            "additionalProperties": False,
        },
        "FeatureBatch": {
            "type": "object",
            "required": ["features"],
            "properties": {
                "features": _batch_of(row, max_batch),
                "ids": {
                    "type": "array",
                    "maxItems": max_batch,
                    "items": _TX_ID,
                    "description": "one per feature vector; defaults to '0', '1', ...",
                },
            },
            "additionalProperties": False,
            "description": "ready feature vectors: scored as they are, the serving state is not touched",
        },
        "FeedbackBatch": {
            "type": "object",
            "required": ["transactions"],
            "properties": {"transactions": _batch_of(_ref("LabelledTransaction"), max_batch)},
            "additionalProperties": False,
        },
        "PredictResponse": {
            "type": "object",
            "required": ["predictions"],
            "properties": {"predictions": {"type": "array", "items": prediction}},
        },
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {"type": "string", "description": "one line naming the problem"},
                "field": {"type": "string", "description": "the offending field, e.g. transactions[0].tx_amount"},
            },
        },
        "Health": {
            "type": "object",
            "required": ["status"],
            "properties": {
                "status": {
                    "type": "string",
                    "enum": ["ok", "loading", "failed", "misconfigured", "store-unavailable"],
                },
                "model": {"type": "string"},
                "version": {"type": "string"},
                "error": {"type": "string"},
                "store": {"type": "string", "description": "the unreachable state store (no credentials)"},
            },
        },
    }


def build_openapi(
    title: str, version: str, n_features: int | None, max_batch: int = MAX_BATCH, *, auth: bool = False
) -> dict[str, Any]:
    """The API document for one app; ``n_features`` (known once the model is loaded) fixes the row length.

    ``auth`` (keys configured) adds the bearer schemes and each operation's ``security``: the document describes
    the service as it runs, so without keys it asks for none.
    """
    document: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {
            "title": title,
            "version": version,
            "description": (
                f"Fraud scoring. Batches hold 1 to {max_batch} items; bodies up to {MAX_BODY_BYTES} bytes. "
                "Raw transactions update the serving state (customer and terminal history) as they are scored. "
                "A tx_datetime must lie between 2000-01-01 and the server clock plus the allowed skew "
                "(/model-info serving.max_future_skew_seconds)."
            ),
        },
        "paths": {
            "/health": {
                "get": {
                    "summary": "200 once the model is loaded, 503 before (or if loading failed, or misconfigured)",
                    "security": [],
                    "responses": {"200": _json(_ref("Health"), "ready"), "503": _json(_ref("Health"), "not ready")},
                }
            },
            "/predict": {
                "post": _guarded(
                    {
                        "summary": "Scores raw transactions (in order) or ready feature vectors",
                        "requestBody": _request({"oneOf": [_ref("TransactionBatch"), _ref("FeatureBatch")]}),
                        "responses": {
                            "200": _json(_ref("PredictResponse"), "one prediction per item, in order"),
                            **_errors(max_batch, 400, 408, 413, 415, 503),
                        },
                    },
                    "scoringKey",
                    auth,
                    max_batch,
                )
            },
            "/feedback": {
                "post": _guarded(
                    {
                        "summary": "Confirmed labels of earlier transactions (they feed the terminal fraud risk)",
                        "requestBody": _request(_ref("FeedbackBatch")),
                        "responses": {
                            "200": _json(
                                {
                                    "type": "object",
                                    "required": ["applied"],
                                    "properties": {
                                        "applied": {"type": "integer", "minimum": 0},
                                        "rejected": {
                                            "type": "array",
                                            "description": "labels refused (absent when none): 422 for a transaction "
                                            "this service never scored at that terminal or older than the longest "
                                            "window plus the delay, 429 over the terminal's daily cap of fraud labels",
                                            "items": {
                                                "type": "object",
                                                "required": ["transaction_id", "status", "reason"],
                                                "properties": {
                                                    "transaction_id": {"type": "string"},
                                                    "status": {"type": "integer", "enum": [422, 429]},
                                                    "reason": {"type": "string"},
                                                },
                                            },
                                        },
                                    },
                                },
                                "how many labels were applied, and which were rejected and why",
                            ),
                            **_errors(max_batch, 400, 408, 413, 415, 503),
                        },
                    },
                    "labellingKey",
                    auth,
                    max_batch,
                )
            },
            "/model-info": {
                "get": _guarded(
                    {
                        "summary": "Family, features, training metrics, threshold, serving limits and auth mode",
                        "responses": {
                            "200": _json({"type": "object"}, "model description"),
                            **_errors(max_batch, 503),
                        },
                    },
                    "scoringKey",
                    auth,
                    max_batch,
                )
            },
            "/openapi.json": {
                "get": _guarded(
                    {
                        "summary": "This document",
                        "responses": {
                            "200": _json({"type": "object"}, "OpenAPI 3.0 document"),
                            **_errors(max_batch, 503),
                        },
                    },
                    "scoringKey",
                    auth,
                    max_batch,
                )
            },
        },
        "components": {"schemas": _schemas(n_features, max_batch)},
    }
    if auth:
        document["components"]["securitySchemes"] = {
            name: {"type": "http", "scheme": "bearer", "description": description}
            for name, description in _SCHEMES.items()
        }
    return document
