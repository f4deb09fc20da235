"""Bad requests every app must refuse with a 4xx JSON error naming the problem (shared by the fake-model
tests and the real-app contract tests)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from fraudkit.serving.limits import MAX_BATCH, MAX_BODY_BYTES

GOOD_TX: dict[str, Any] = {
    "transaction_id": "t1",
    "customer_id": 12,
    "terminal_id": 345,
    "tx_datetime": "2018-09-01T12:34:56",
    "tx_amount": 57.35,
}


@dataclass(frozen=True)
class BadRequest:
    """A request body (raw bytes), its content type, the path, and the status and field the reply must name."""

    name: str
    body: bytes
    status: int
    field: str
    content_type: str = "application/json"
    path: str = "/predict"


def _tx(**changes: Any) -> bytes:
    tx = {**GOOD_TX, **changes}
    return json.dumps({"transactions": [{k: v for k, v in tx.items() if v is not _MISSING}]}).encode()


_MISSING = object()
_F = "transactions[0]."

BAD_REQUESTS = [
    BadRequest("invalid-json", b'{"transactions": [', 400, "body"),
    BadRequest("not-utf8", b'{"transactions": "\xff"}', 400, "body"),
    BadRequest("nan-literal", _tx().replace(b"57.35", b"NaN"), 400, "body"),
    BadRequest("infinity-literal", _tx().replace(b"57.35", b"-Infinity"), 400, "body"),
    BadRequest("overflowing-number", _tx().replace(b"57.35", b"1e999"), 400, _F + "tx_amount"),
    BadRequest("deep-nesting", b"[" * 50_000, 400, "body"),
    BadRequest("wrong-content-type", _tx(), 415, "Content-Type", content_type="text/plain"),
    BadRequest("form-content-type", b"a=1", 415, "Content-Type", content_type="application/x-www-form-urlencoded"),
    BadRequest("top-level-array", b"[]", 400, "body"),
    BadRequest("no-transactions", b"{}", 400, "body"),
    BadRequest("transactions-not-array", b'{"transactions": {}}', 400, "transactions"),
    BadRequest("empty-batch", b'{"transactions": []}', 400, "transactions"),
    BadRequest("unknown-top-field", b'{"transactions": [], "extra": 1}', 400, "extra"),
    BadRequest("transaction-not-object", b'{"transactions": [5]}', 400, "transactions[0]"),
    BadRequest("missing-amount", _tx(tx_amount=_MISSING), 400, _F + "tx_amount"),
    BadRequest("typo-field", _tx(tx_amount=_MISSING, tx_amout=1.0), 400, _F + "tx_amout"),
    BadRequest("negative-amount", _tx(tx_amount=-0.01), 400, _F + "tx_amount"),
    BadRequest("string-amount", _tx(tx_amount="57.35"), 400, _F + "tx_amount"),
    BadRequest("bool-amount", _tx(tx_amount=True), 400, _F + "tx_amount"),
    BadRequest("huge-amount", _tx(tx_amount=1e300), 400, _F + "tx_amount"),
    BadRequest("bool-customer", _tx(customer_id=True), 400, _F + "customer_id"),
    BadRequest("float-customer", _tx(customer_id=12.0), 400, _F + "customer_id"),
    BadRequest("string-customer", _tx(customer_id="12"), 400, _F + "customer_id"),
    BadRequest("negative-terminal", _tx(terminal_id=-1), 400, _F + "terminal_id"),
    BadRequest("huge-terminal", _tx(terminal_id=2**70), 400, _F + "terminal_id"),
    BadRequest("null-terminal", _tx(terminal_id=None), 400, _F + "terminal_id"),
    BadRequest("int-transaction-id", _tx(transaction_id=1), 400, _F + "transaction_id"),
    BadRequest("empty-transaction-id", _tx(transaction_id=""), 400, _F + "transaction_id"),
    BadRequest("impossible-date", _tx(tx_datetime="2018-02-30T00:00:00"), 400, _F + "tx_datetime"),
    BadRequest("free-text-date", _tx(tx_datetime="yesterday"), 400, _F + "tx_datetime"),
    BadRequest("numeric-date", _tx(tx_datetime=20180901), 400, _F + "tx_datetime"),
    BadRequest("bad-offset", _tx(tx_datetime="2018-09-01T12:34:56+25:00"), 400, _F + "tx_datetime"),
    BadRequest("year-0001", _tx(tx_datetime="0001-01-01T00:00:00Z"), 400, _F + "tx_datetime"),
    BadRequest("before-2000", _tx(tx_datetime="1999-12-31T23:59:59"), 400, _F + "tx_datetime"),
    BadRequest("far-future", _tx(tx_datetime="9999-12-31T23:59:59.999999"), 400, _F + "tx_datetime"),
    BadRequest("next-decade", _tx(tx_datetime="2099-01-01T00:00:00"), 400, _F + "tx_datetime"),
    BadRequest(
        "feedback-far-future",
        _tx(is_fraud=True, tx_datetime="9999-12-31T23:59:59"),
        400,
        _F + "tx_datetime",
        path="/feedback",
    ),
    BadRequest(
        "oversized-batch",
        json.dumps({"transactions": [GOOD_TX] * (MAX_BATCH + 1)}).encode(),
        413,
        "transactions",
    ),
    BadRequest("oversized-body", b" " * (MAX_BODY_BYTES + 1), 413, "body"),
    BadRequest("features-and-transactions", b'{"transactions": [], "features": []}', 400, "body"),
    BadRequest("features-not-rows", b'{"features": [1, 2]}', 400, "features[0]"),
    BadRequest("features-wrong-length", b'{"features": [[1, 2]]}', 400, "features[0]"),
    BadRequest("ids-without-features", _tx()[:-1] + b', "ids": ["a"]}', 400, "ids"),
    BadRequest("feedback-missing-label", _tx(), 400, _F + "is_fraud", path="/feedback"),
    BadRequest("feedback-int-label", _tx(is_fraud=1), 400, _F + "is_fraud", path="/feedback"),
    BadRequest("feedback-bad-amount", _tx(is_fraud=True, tx_amount=-5), 400, _F + "tx_amount", path="/feedback"),
    BadRequest("feedback-wrong-type", _tx(is_fraud=True), 415, "Content-Type", content_type="", path="/feedback"),
]
"""Each must get its status and a JSON ``{"error", "field"}``."""


def feature_rows_with_bad_value(n_features: int) -> list[BadRequest]:
    """Bad feature-vector requests for a model with ``n_features`` inputs."""
    row = [0.0] * n_features
    return [
        BadRequest("feature-bool", json.dumps({"features": [[True, *row[1:]]]}).encode(), 400, "features[0][0]"),
        BadRequest(
            "feature-huge",
            json.dumps({"features": [[*row[:-1], 1e200]]}).encode(),
            400,
            f"features[0][{n_features - 1}]",
        ),
        BadRequest("ids-count", json.dumps({"features": [row], "ids": ["a", "b"]}).encode(), 400, "ids"),
        BadRequest("ids-type", json.dumps({"features": [row], "ids": [7]}).encode(), 400, "ids[0]"),
    ]


def assert_refused(client: Any, bad: BadRequest) -> None:
    """Posts ``bad`` with a Flask test client and checks the JSON error reply names its field."""
    headers = {"Content-Type": bad.content_type} if bad.content_type else {}
    reply = client.post(bad.path, data=bad.body, headers=headers)
    assert reply.status_code == bad.status, reply.get_data(as_text=True)[:300]
    assert reply.mimetype == "application/json"
    body = reply.get_json()
    assert isinstance(body["error"], str) and body["error"]
    assert body.get("field") == bad.field, body
