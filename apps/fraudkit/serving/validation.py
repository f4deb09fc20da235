"""Request validation: JSON bodies into ``fraudkit.records`` dataclasses, or a ``RequestError`` naming the field.

Pure functions (no Flask): the HTTP layer hands over the raw body and turns ``RequestError`` into a JSON reply.
Strict on purpose: a bool is not a number, a float is not an id, unknown fields are refused (a typo such as
``tx_amout`` must not pass silently), and nothing non-finite reaches a model.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping, Union

from fraudkit.records import LabelledTransaction, Transaction
from fraudkit.serving.limits import (
    MAX_AMOUNT,
    MAX_BATCH,
    MAX_FEATURE_ABS,
    MAX_ID,
    MAX_TRANSACTION_ID_LENGTH,
)

TRANSACTION_FIELDS = ("transaction_id", "customer_id", "terminal_id", "tx_datetime", "tx_amount")
"""The fields of a raw transaction, all required."""

# ISO 8601 as payment systems write it; a naive time is taken as UTC (as the serving state does).
_DATETIME = re.compile(
    r"(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[T ]([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(?:\.(\d{1,6}))?"
    r"(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)?",
    re.ASCII,
)
DATETIME_PATTERN = "^" + _DATETIME.pattern + "$"
"""The accepted ``tx_datetime`` shape, as a JSON-schema pattern for the OpenAPI document."""

MAX_FUTURE_SKEW_ENV = "FRAUDKIT_MAX_FUTURE_SKEW_SECONDS"
"""Environment variable: how far (seconds) a transaction may be dated after the server's clock."""

DEFAULT_MAX_FUTURE_SKEW_SECONDS = 86_400

#: Earliest ``tx_datetime`` accepted (UTC): nothing older is a real card payment, and the serving state counts
#: time from the Unix epoch.
EARLIEST_TX_DATETIME = datetime(2000, 1, 1)


class RequestError(Exception):
    """A client error: an HTTP status and a one-line message that names the offending field."""

    def __init__(self, message: str, status: int = 400, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field


def max_future_skew_seconds(environ: Mapping[str, str] = os.environ) -> int:
    """The configured future skew: ``FRAUDKIT_MAX_FUTURE_SKEW_SECONDS`` (default one day), a whole number of
    seconds from 0 to ten years; ``ValueError`` with a one-line reason otherwise (the app reports it at start)."""
    raw = environ.get(MAX_FUTURE_SKEW_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_FUTURE_SKEW_SECONDS
    if not raw.isdigit() or int(raw) > 10 * 366 * 86_400:
        raise ValueError(f"{MAX_FUTURE_SKEW_ENV}: expected whole seconds from 0 to 316224000, got {raw!r}")
    return int(raw)


def _latest_tx_datetime() -> datetime:
    # Read once per request (an environment lookup): the state must never see a transaction from the far future,
    # whose date would move its clock and make it drop every later genuine label.
    try:
        skew = max_future_skew_seconds()
    except ValueError:
        skew = DEFAULT_MAX_FUTURE_SKEW_SECONDS  # the app refuses to serve with a bad value; never loosen here
    return datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(seconds=skew)


@dataclass(frozen=True)
class FeatureBatch:
    """Ready feature vectors with their ids (the ``{"features": ..., "ids": ...}`` form of /predict)."""

    ids: list[str]
    rows: list[list[float]]


PredictRequest = Union[list[Transaction], FeatureBatch]
"""What a valid /predict body holds: raw transactions, or ready feature vectors."""


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse_json(raw: bytes) -> Any:
    """Decodes a request body as strict JSON (UTF-8; NaN and Infinity literals refused)."""
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except UnicodeDecodeError:
        raise RequestError("body: not UTF-8 text", field="body") from None
    except ValueError as error:
        raise RequestError(f"body: invalid JSON ({error})", field="body") from None
    except RecursionError:
        raise RequestError("body: JSON nested too deeply", field="body") from None


def _fail(path: str, problem: str, status: int = 400) -> RequestError:
    return RequestError(f"{path}: {problem}", status=status, field=path)


def _object(value: Any, path: str, allowed: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(path, "must be a JSON object")
    unknown = sorted(set(value) - set(allowed))
    if unknown:
        raise _fail(f"{path}.{unknown[0]}" if path != "body" else unknown[0], "unknown field")
    return value


def _required(obj: dict[str, Any], key: str, path: str) -> Any:
    if key not in obj:
        raise _fail(path, "required field is missing")
    return obj[key]


def _batch(value: Any, path: str, what: str, max_batch: int) -> list[Any]:
    if not isinstance(value, list):
        raise _fail(path, f"must be an array of {what}")
    if not value:
        raise _fail(path, f"must hold at least one of {what}")
    if len(value) > max_batch:
        raise _fail(path, f"{len(value)} {what} exceed the batch limit of {max_batch}", status=413)
    return value


def _string_id(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise _fail(path, "must be a string")
    if not value or len(value) > MAX_TRANSACTION_ID_LENGTH:
        raise _fail(path, f"must be 1 to {MAX_TRANSACTION_ID_LENGTH} characters")
    return value


def _int_id(value: Any, path: str) -> int:
    # bool is a subclass of int in Python: refuse it explicitly, as JSON true is not an id.
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(path, "must be an integer")
    if not 0 <= value <= MAX_ID:
        raise _fail(path, f"must be between 0 and {MAX_ID}")
    return value


def _finite(value: Any, path: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(path, "must be a number")
    try:
        number = float(value)
    except OverflowError:
        raise _fail(path, "is too large") from None
    if not math.isfinite(number):
        raise _fail(path, "must be finite")
    if not low <= number <= high:
        raise _fail(path, f"must be between {low:g} and {high:g}")
    return number


def _datetime(value: Any, path: str, latest: datetime | None = None) -> datetime:
    if not isinstance(value, str):
        raise _fail(path, "must be an ISO 8601 date-time string")
    match = _DATETIME.fullmatch(value)
    if match is None:
        raise _fail(path, "must look like 2018-09-01T12:34:56 (optional .ffffff and Z or +HH:MM)")
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    micro = int((match.group(7) or "0").ljust(6, "0"))
    try:
        when = datetime(year, month, day, hour, minute, second, micro)
        offset = match.group(8)
        if offset and offset != "Z":
            sign = 1 if offset[0] == "+" else -1
            shift = timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6]))
            when = (when.replace(tzinfo=timezone(sign * shift))).astimezone(timezone.utc).replace(tzinfo=None)
    except (ValueError, OverflowError) as error:
        raise _fail(path, f"is not a valid date-time ({error})") from None
    if when < EARLIEST_TX_DATETIME:
        raise _fail(path, f"is before {EARLIEST_TX_DATETIME:%Y-%m-%d} (UTC)")
    latest = latest or _latest_tx_datetime()
    if when > latest:
        raise _fail(path, f"is later than the server clock allows (latest {latest:%Y-%m-%dT%H:%M:%S}Z)")
    return when


def _transaction_fields(obj: dict[str, Any], path: str, latest: datetime | None) -> dict[str, Any]:
    def field(key: str) -> tuple[Any, str]:
        return _required(obj, key, f"{path}.{key}"), f"{path}.{key}"

    return {
        "transaction_id": _string_id(*field("transaction_id")),
        "customer_id": _int_id(*field("customer_id")),
        "terminal_id": _int_id(*field("terminal_id")),
        "tx_datetime": _datetime(*field("tx_datetime"), latest),
        "tx_amount": _finite(*field("tx_amount"), 0.0, MAX_AMOUNT),
    }


def parse_transaction(value: Any, path: str, latest: datetime | None = None) -> Transaction:
    """One raw transaction object into a ``Transaction``; ``latest`` is the request's bound on its date (read from
    the clock when not given)."""
    return Transaction(**_transaction_fields(_object(value, path, TRANSACTION_FIELDS), path, latest))


def parse_labelled(value: Any, path: str, latest: datetime | None = None) -> LabelledTransaction:
    """One transaction object with its ``is_fraud`` label into a ``LabelledTransaction``."""
    obj = _object(value, path, (*TRANSACTION_FIELDS, "is_fraud"))
    label = _required(obj, "is_fraud", f"{path}.is_fraud")
    if not isinstance(label, bool):
        raise _fail(f"{path}.is_fraud", "must be true or false")
    return LabelledTransaction(**_transaction_fields(obj, path, latest), is_fraud=label)


def _feature_batch(body: dict[str, Any], n_features: int, max_batch: int) -> FeatureBatch:
    rows_in = _batch(body["features"], "features", "feature vectors", max_batch)
    rows: list[list[float]] = []
    for i, row in enumerate(rows_in):
        path = f"features[{i}]"
        if not isinstance(row, list) or len(row) != n_features:
            raise _fail(path, f"must be an array of {n_features} numbers")
        rows.append([_finite(x, f"{path}[{j}]", -MAX_FEATURE_ABS, MAX_FEATURE_ABS) for j, x in enumerate(row)])
    if "ids" not in body:
        return FeatureBatch(ids=[str(i) for i in range(len(rows))], rows=rows)
    ids_in = body["ids"]
    if not isinstance(ids_in, list) or len(ids_in) != len(rows):
        raise _fail("ids", f"must be an array of {len(rows)} strings, one per feature vector")
    return FeatureBatch(ids=[_string_id(x, f"ids[{i}]") for i, x in enumerate(ids_in)], rows=rows)


def parse_predict(body: Any, n_features: int, max_batch: int = MAX_BATCH) -> PredictRequest:
    """A /predict body: ``{"transactions": [...]}`` or ``{"features": [[...]], "ids": [...]}`` (ids optional)."""
    obj = _object(body, "body", ("transactions", "features", "ids"))
    if ("transactions" in obj) == ("features" in obj):
        raise _fail("body", "must hold exactly one of 'transactions' or 'features'")
    if "features" in obj:
        return _feature_batch(obj, n_features, max_batch)
    if "ids" in obj:
        raise _fail("ids", "only goes with 'features'")
    items = _batch(obj["transactions"], "transactions", "transactions", max_batch)
    latest = _latest_tx_datetime()  # once a request: one clock for all its transactions
    return [parse_transaction(item, f"transactions[{i}]", latest) for i, item in enumerate(items)]


def parse_feedback(body: Any, max_batch: int = MAX_BATCH) -> list[LabelledTransaction]:
    """A /feedback body: ``{"transactions": [...]}``, each transaction with its ``is_fraud`` label."""
    obj = _object(body, "body", ("transactions",))
    items = _batch(_required(obj, "transactions", "transactions"), "transactions", "transactions", max_batch)
    latest = _latest_tx_datetime()
    return [parse_labelled(item, f"transactions[{i}]", latest) for i, item in enumerate(items)]
