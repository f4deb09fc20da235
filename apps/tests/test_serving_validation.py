"""Request validation: every bad request gets its 4xx JSON error naming the field (served by a fake model)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from bad_requests import BAD_REQUESTS, GOOD_TX, BadRequest, assert_refused, feature_rows_with_bad_value
from fake_scorer import FEATURES, fake_loader

from fraudkit.records import LabelledTransaction, Transaction
from fraudkit.serving import create_app
from fraudkit.serving.validation import RequestError, parse_feedback, parse_predict


@pytest.fixture(scope="module")
def client():
    return create_app("fake", loader=fake_loader, background=False).test_client()


@pytest.mark.parametrize("bad", BAD_REQUESTS + feature_rows_with_bad_value(len(FEATURES)), ids=lambda b: b.name)
def test_bad_request_is_refused_with_the_field_named(client, bad: BadRequest) -> None:
    assert_refused(client, bad)
    assert client.get("/health").status_code == 200


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2018-09-01T12:34:56", datetime(2018, 9, 1, 12, 34, 56)),
        ("2018-09-01 12:34:56", datetime(2018, 9, 1, 12, 34, 56)),
        ("2018-09-01T12:34:56.5", datetime(2018, 9, 1, 12, 34, 56, 500000)),
        ("2018-09-01T12:34:56Z", datetime(2018, 9, 1, 12, 34, 56)),
        ("2018-09-01T00:30:00+02:00", datetime(2018, 8, 31, 22, 30)),
        ("2018-09-01T23:30:00-01:30", datetime(2018, 9, 2, 1, 0)),
    ],
)
def test_datetimes_are_read_as_naive_utc(written: str, expected: datetime) -> None:
    [tx] = parse_predict({"transactions": [{**GOOD_TX, "tx_datetime": written}]}, len(FEATURES))
    assert tx.tx_datetime == expected


@pytest.mark.parametrize(
    "written", ["2018-9-1T12:34:56", "2018-09-01T12:34", "2018-09-01T12:34:56\n", "٢٠١٨-09-01T12:34:56"]
)
def test_loose_datetime_shapes_are_refused(written: str) -> None:
    with pytest.raises(RequestError) as refused:
        parse_predict({"transactions": [{**GOOD_TX, "tx_datetime": written}]}, len(FEATURES))
    assert refused.value.field == "transactions[0].tx_datetime"


def test_valid_transactions_become_records_in_order() -> None:
    body = {"transactions": [{**GOOD_TX, "transaction_id": f"t{i}", "tx_amount": i} for i in range(3)]}
    parsed = parse_predict(body, len(FEATURES))
    assert parsed == [Transaction(f"t{i}", 12, 345, datetime(2018, 9, 1, 12, 34, 56), float(i)) for i in range(3)]


def test_feedback_keeps_the_label() -> None:
    [labelled] = parse_feedback({"transactions": [{**GOOD_TX, "is_fraud": True}]})
    assert labelled == LabelledTransaction("t1", 12, 345, datetime(2018, 9, 1, 12, 34, 56), 57.35, is_fraud=True)


def test_feature_ids_default_to_row_numbers() -> None:
    batch = parse_predict({"features": [[0.0] * 15, [1] * 15]}, 15)
    assert batch.ids == ["0", "1"] and batch.rows[1] == [1.0] * 15


def _dated(when: datetime) -> dict:
    return {"transactions": [{**GOOD_TX, "tx_datetime": f"{when:%Y-%m-%dT%H:%M:%S}Z"}]}


@pytest.mark.parametrize(
    ("skew_env", "ahead", "accepted"),
    [
        (None, timedelta(hours=23), True),
        (None, timedelta(hours=25), False),
        ("0", timedelta(minutes=-1), True),
        ("0", timedelta(minutes=1), False),
        ("604800", timedelta(days=6), True),
    ],
)
def test_a_transaction_too_far_ahead_of_the_server_clock_is_refused(monkeypatch, skew_env, ahead, accepted) -> None:
    if skew_env is None:
        monkeypatch.delenv("FRAUDKIT_MAX_FUTURE_SKEW_SECONDS", raising=False)
    else:
        monkeypatch.setenv("FRAUDKIT_MAX_FUTURE_SKEW_SECONDS", skew_env)
    when = datetime.now(timezone.utc).replace(tzinfo=None) + ahead
    for parse in (lambda b: parse_predict(b, len(FEATURES)), parse_feedback):
        body = _dated(when)
        body["transactions"][0]["is_fraud"] = True
        if parse is not parse_feedback:
            del body["transactions"][0]["is_fraud"]
        if accepted:
            parse(body)
        else:
            with pytest.raises(RequestError) as refused:
                parse(body)
            assert refused.value.field == "transactions[0].tx_datetime" and refused.value.status == 400
            assert "server clock" in refused.value.message


def test_the_offset_counts_when_comparing_with_the_clock(monkeypatch) -> None:
    monkeypatch.setenv("FRAUDKIT_MAX_FUTURE_SKEW_SECONDS", "3600")
    soon = datetime.now(timezone.utc) + timedelta(minutes=30)
    # 30 minutes ahead in UTC, written in UTC+14: fine; the same wall time read as UTC is 14 h ahead: refused.
    local = soon.astimezone(timezone(timedelta(hours=14)))
    parse_predict({"transactions": [{**GOOD_TX, "tx_datetime": local.strftime("%Y-%m-%dT%H:%M:%S+14:00")}]}, 15)
    with pytest.raises(RequestError):
        parse_predict({"transactions": [{**GOOD_TX, "tx_datetime": local.strftime("%Y-%m-%dT%H:%M:%S")}]}, 15)
