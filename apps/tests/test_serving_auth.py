"""API keys and rate limits: every endpoint with no, wrong, wrong-scope and right key on a served app (a real
gunicorn), configuration errors, the label-poisoning attack, and keys never reaching a log."""

from __future__ import annotations

import base64
import hmac
import json
import logging
from pathlib import Path

import pytest
from bad_requests import GOOD_TX
from fake_scorer import FakeScorer
from served import Served, request

from fraudkit.serving import create_app
from fraudkit.serving.auth import KeyRing
from fraudkit.serving.ratelimit import UNIDENTIFIED, RateLimit, TokenBuckets, caller_key, rate_limit_from_env

SCORING_OLD = "scoring-old-0123456789abcdefghijklmnopqrstuv"
SCORING_NEW = "scoring-new-0123456789abcdefghijklmnopqrstuv"
LABELLING = "labelling-0123456789abcdefghijklmnopqrstuvwx"
UNKNOWN = "unknown-key-0123456789abcdefghijklmnopqrstuv"
KEY_ENV = {
    "FRAUDKIT_SCORING_KEYS": f"{SCORING_OLD}, {SCORING_NEW}",
    "FRAUDKIT_LABELLING_KEYS": LABELLING,
    "FRAUDKIT_REQUIRE_KEYS": "1",
}
ALL_KEYS = (SCORING_OLD, SCORING_NEW, LABELLING, UNKNOWN)

PREDICT_BODY = json.dumps({"transactions": [GOOD_TX]}).encode()
FEEDBACK_BODY = json.dumps({"transactions": [{**GOOD_TX, "is_fraud": True}]}).encode()

# (method, path, body, scope) of every endpoint; scope None = open.
ENDPOINTS = [
    ("GET", "/health", b"", None),
    ("POST", "/predict", PREDICT_BODY, "scoring"),
    ("GET", "/model-info", b"", "scoring"),
    ("GET", "/openapi.json", b"", "scoring"),
    ("POST", "/feedback", FEEDBACK_BODY, "labelling"),
]
# (name, Authorization header or None, scope the header carries: None = no valid key)
CREDENTIALS = [
    ("none", None, None),
    ("unknown-key", f"Bearer {UNKNOWN}", None),
    ("empty-bearer", "Bearer ", None),
    ("key-without-scheme", SCORING_OLD, None),
    ("basic-scheme", "Basic " + base64.b64encode(f"x:{SCORING_OLD}".encode()).decode(), None),
    ("key-prefix", f"Bearer {SCORING_OLD[:-1]}", None),
    ("key-extended", f"Bearer {SCORING_OLD}x", None),
    ("two-keys", f"Bearer {SCORING_OLD},{SCORING_NEW}", None),
    ("scoring-old", f"Bearer {SCORING_OLD}", "scoring"),
    ("scoring-new", f"bearer  {SCORING_NEW}", "scoring"),  # the scheme is case-insensitive (RFC 7235)
    ("labelling", f"Bearer {LABELLING}", "labelling"),
]


def _expected(endpoint_scope: str | None, credential_scope: str | None) -> int:
    if endpoint_scope is None or endpoint_scope == credential_scope:
        return 200
    return 401 if credential_scope is None else 403


@pytest.fixture(scope="module")
def served():
    with Served(KEY_ENV) as server:
        assert server.wait_listening()[-1] == 200
        yield server
    for key in ALL_KEYS:
        assert key not in server.log, "a key reached gunicorn's log"
    assert "Booting worker" in server.log


@pytest.mark.gunicorn
@pytest.mark.parametrize("credential", CREDENTIALS, ids=lambda c: c[0])
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e[1])
def test_every_endpoint_with_every_credential(served, endpoint, credential) -> None:
    method, path, body, scope = endpoint
    _, header, credential_scope = credential
    headers = {"Content-Type": "application/json"} if body else {}
    if header is not None:
        headers["Authorization"] = header
    status, reply_headers, reply = request(served.port, method, path, body, headers)
    expected = _expected(scope, credential_scope)
    assert status == expected, reply
    answer = json.loads(reply)
    if expected == 401:
        # One answer for every kind of wrong credential: nothing tells which part was wrong.
        assert answer == {"error": "Authorization: a valid key is required (Bearer)", "field": "Authorization"}
        assert reply_headers["WWW-Authenticate"] == 'Bearer realm="fraudkit"'
    elif expected == 403:
        assert answer["field"] == "Authorization" and scope in answer["error"]
        assert 'error="insufficient_scope"' in reply_headers["WWW-Authenticate"]
    for key in ALL_KEYS:
        assert key not in reply.decode(), "a key was echoed"


@pytest.mark.gunicorn
def test_keys_in_a_query_string_do_not_reach_the_access_log(served) -> None:
    status, _, _ = request(served.port, "GET", f"/model-info?api_key={SCORING_OLD}&k={UNKNOWN}")
    assert status == 401  # a key is only read from the Authorization header
    # (the module fixture then checks that no key appears in the log)


@pytest.mark.gunicorn
def test_model_info_says_auth_is_on_and_openapi_declares_the_schemes(served) -> None:
    auth = {"Authorization": f"Bearer {SCORING_NEW}"}
    info = json.loads(request(served.port, "GET", "/model-info", headers=auth)[2])
    assert info["serving"]["auth"] == "bearer"
    doc = json.loads(request(served.port, "GET", "/openapi.json", headers=auth)[2])
    assert set(doc["components"]["securitySchemes"]) == {"scoringKey", "labellingKey"}
    assert doc["paths"]["/feedback"]["post"]["security"] == [{"labellingKey": []}]
    assert doc["paths"]["/predict"]["post"]["security"] == [{"scoringKey": []}]
    assert doc["paths"]["/health"]["get"]["security"] == []


def _client(monkeypatch, env: dict[str, str], scorer: FakeScorer | None = None):
    for name in (
        *KEY_ENV,
        "FRAUDKIT_RATE_LIMIT_RPS",
        "FRAUDKIT_RATE_LIMIT_BURST",
        "FRAUDKIT_RATE_LIMIT_IDENTITY_HEADER",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    the_scorer = scorer or FakeScorer()
    return create_app("fake", loader=lambda _: the_scorer, background=False).test_client()


def test_without_keys_auth_is_off_and_model_info_says_so(monkeypatch) -> None:
    client = _client(monkeypatch, {})
    assert client.post("/predict", json={"transactions": [GOOD_TX]}).status_code == 200
    assert client.post("/feedback", json={"transactions": [{**GOOD_TX, "is_fraud": True}]}).status_code == 200
    assert client.get("/model-info").get_json()["serving"]["auth"] == "off"
    doc = client.get("/openapi.json").get_json()
    assert "securitySchemes" not in doc["components"] and "security" not in doc["paths"]["/predict"]["post"]


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"FRAUDKIT_REQUIRE_KEYS": "1"}, ["FRAUDKIT_SCORING_KEYS is not set", "FRAUDKIT_LABELLING_KEYS is not set"]),
        ({"FRAUDKIT_REQUIRE_KEYS": "1", "FRAUDKIT_SCORING_KEYS": SCORING_OLD}, ["FRAUDKIT_LABELLING_KEYS is not set"]),
        (
            {"FRAUDKIT_SCORING_KEYS": f"{SCORING_OLD},short-key", "FRAUDKIT_LABELLING_KEYS": LABELLING},
            ["FRAUDKIT_SCORING_KEYS: key 2 is shorter than 32 characters"],
        ),
        (
            {"FRAUDKIT_SCORING_KEYS": SCORING_OLD, "FRAUDKIT_LABELLING_KEYS": "é" * 40},
            ["FRAUDKIT_LABELLING_KEYS: key 1 has characters outside visible ASCII"],
        ),
        ({"FRAUDKIT_SCORING_KEYS": SCORING_OLD, "FRAUDKIT_LABELLING_KEYS": SCORING_OLD}, ["share a key"]),
        ({"FRAUDKIT_RATE_LIMIT_RPS": "fast"}, ["FRAUDKIT_RATE_LIMIT_RPS"]),
        ({"FRAUDKIT_RATE_LIMIT_BURST": "5"}, ["FRAUDKIT_RATE_LIMIT_BURST is set but FRAUDKIT_RATE_LIMIT_RPS"]),
        ({"FRAUDKIT_MAX_FUTURE_SKEW_SECONDS": "-1"}, ["FRAUDKIT_MAX_FUTURE_SKEW_SECONDS"]),
        ({"FRAUDKIT_BODY_TIMEOUT_SECONDS": "0"}, ["FRAUDKIT_BODY_TIMEOUT_SECONDS"]),
        (
            {"FRAUDKIT_RATE_LIMIT_RPS": "1", "FRAUDKIT_RATE_LIMIT_IDENTITY_HEADER": "x caller"},
            ["FRAUDKIT_RATE_LIMIT_IDENTITY_HEADER: expected an HTTP header name"],
        ),
    ],
    ids=[
        "require-none",
        "require-one",
        "short",
        "non-ascii",
        "shared",
        "bad-rps",
        "burst-only",
        "skew",
        "body",
        "header",
    ],
)
def test_a_configuration_problem_is_a_503_everywhere_naming_it(monkeypatch, caplog, env, named) -> None:
    with caplog.at_level(logging.ERROR, logger="fraudkit.serving.auth"):
        client = _client(monkeypatch, env)
    health = client.get("/health")
    assert health.status_code == 503 and health.get_json()["status"] == "misconfigured"
    for text in named:
        assert text in health.get_json()["error"]
        assert text in caplog.text  # the start-up log line names it too
    headers = {"Authorization": f"Bearer {SCORING_OLD}"}
    for method, path, body, _ in ENDPOINTS[1:]:
        reply = client.open(path, method=method, data=body, content_type="application/json", headers=headers)
        assert reply.status_code == 503, path
        assert reply.get_json()["error"] == "service: misconfigured, refusing to serve (see /health)"
    for key in (SCORING_OLD, "short-key", LABELLING):
        assert key not in caplog.text and key not in health.get_data(as_text=True)


def test_a_scope_without_keys_is_closed_not_open(monkeypatch) -> None:
    client = _client(monkeypatch, {"FRAUDKIT_SCORING_KEYS": SCORING_OLD})
    body = {"transactions": [{**GOOD_TX, "is_fraud": True}]}
    assert client.post("/feedback", json=body).status_code == 401
    assert client.post("/feedback", json=body, headers={"Authorization": f"Bearer {SCORING_OLD}"}).status_code == 403


def test_every_key_is_compared_whichever_matches(monkeypatch) -> None:
    ring = KeyRing({"scoring": [SCORING_OLD, SCORING_NEW], "labelling": [LABELLING]})
    calls: list[int] = []
    real = hmac.compare_digest

    def counting(a: bytes, b: bytes) -> bool:
        calls.append(len(a) + len(b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", counting)
    for header in (f"Bearer {SCORING_OLD}", f"Bearer {LABELLING}", f"Bearer {UNKNOWN}", f"Bearer {'x' * 500}", None):
        calls.clear()
        ring.identify(header)
        # Three comparisons of equal-length digests each time: no early exit, no length to time.
        assert calls == [64, 64, 64], header
    assert ring.identify(f"Bearer {SCORING_NEW}").name == "scoring#2"
    assert ring.identify(f"Bearer {LABELLING}").name == "labelling#1"


def test_keys_never_reach_the_app_log_even_on_an_internal_error(monkeypatch, caplog) -> None:
    client = _client(monkeypatch, KEY_ENV, scorer=FakeScorer(float("nan")))
    with caplog.at_level(logging.DEBUG):
        for key in ALL_KEYS:
            client.post("/predict", json={"transactions": [GOOD_TX]}, headers={"Authorization": f"Bearer {key}"})
    assert "unhandled error" in caplog.text  # the 500 path did log
    for key in ALL_KEYS:
        assert key not in caplog.text


# --- rate limit ---------------------------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_its_burst_then_refills_at_the_rate() -> None:
    clock = FakeClock()
    buckets = TokenBuckets(RateLimit(rps=2.0, burst=3), clock=clock)
    assert [buckets.take("a") for _ in range(3)] == [None, None, None]
    assert buckets.take("a") == pytest.approx(0.5)  # one token takes 1/rps seconds
    assert buckets.take("b") is None  # another client has its own bucket
    clock.now += 0.5
    assert buckets.take("a") is None
    assert buckets.take("a") == pytest.approx(0.5)
    clock.now += 60
    assert [buckets.take("a") for _ in range(4)][-1] is not None  # refilled to the burst, never beyond


def test_the_number_of_tracked_clients_is_bounded() -> None:
    clock = FakeClock()
    buckets = TokenBuckets(RateLimit(rps=1.0, burst=1), clock=clock, max_clients=3)
    for key in "abcd":
        buckets.take(key)
    assert len(buckets) == 3
    assert buckets.take("d") is not None  # the most recent ones are kept...
    assert buckets.take("a") is None  # ...the least recently seen was forgotten (starts full again)


@pytest.mark.parametrize(
    ("env", "limit"),
    [({}, None), ({"FRAUDKIT_RATE_LIMIT_RPS": "0"}, None), ({"FRAUDKIT_RATE_LIMIT_RPS": "2.5"}, RateLimit(2.5, 3))],
)
def test_rate_limit_settings(env, limit) -> None:
    assert rate_limit_from_env(env) == limit


def test_429_with_retry_after_per_credential_then_per_address(monkeypatch) -> None:
    env = {**KEY_ENV, "FRAUDKIT_RATE_LIMIT_RPS": "0.5", "FRAUDKIT_RATE_LIMIT_BURST": "2"}
    client = _client(monkeypatch, env)

    def predict(key: str, address: str = "10.0.0.1"):
        return client.post(
            "/predict",
            json={"transactions": [GOOD_TX]},
            headers={"Authorization": f"Bearer {key}"},
            environ_base={"REMOTE_ADDR": address},
        )

    assert [predict(SCORING_OLD).status_code for _ in range(2)] == [200, 200]
    limited = predict(SCORING_OLD, address="10.0.0.2")  # another address, same key: same bucket
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "2"
    assert limited.get_json()["error"].startswith("rate limit:")
    assert predict(SCORING_NEW).status_code == 200  # the other key has its own bucket
    assert client.get("/health").status_code == 200  # the load balancer's probe is never limited
    assert client.get("/model-info", headers={"Authorization": f"Bearer {SCORING_NEW}"}).get_json()["serving"][
        "rate_limit"
    ] == {"rps": 0.5, "burst": 2}

    anonymous = _client(monkeypatch, {"FRAUDKIT_RATE_LIMIT_RPS": "0.5", "FRAUDKIT_RATE_LIMIT_BURST": "1"})
    body = {"transactions": [GOOD_TX]}
    assert anonymous.post("/predict", json=body, environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 200
    assert anonymous.post("/predict", json=body, environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 429
    assert anonymous.post("/predict", json=body, environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 200


CALLER_A = "arn:aws:iam::123456789012:user/scorer-a"
CALLER_B = "arn:aws:sts::123456789012:assumed-role/scorer-b/session-1"
FRONT_ENV = {
    "FRAUDKIT_RATE_LIMIT_RPS": "0.5",
    "FRAUDKIT_RATE_LIMIT_BURST": "2",
    "FRAUDKIT_RATE_LIMIT_IDENTITY_HEADER": "x-fraudkit-caller",
}


def _predict_as(client, caller: str | None, address: str = "10.0.0.1") -> int:
    headers = {"X-Fraudkit-Caller": caller} if caller is not None else {}
    reply = client.post(
        "/predict", json={"transactions": [GOOD_TX]}, headers=headers, environ_base={"REMOTE_ADDR": address}
    )
    return reply.status_code


def test_behind_a_front_each_named_caller_has_its_own_bucket(monkeypatch, caplog) -> None:
    with caplog.at_level(logging.DEBUG):
        client = _client(monkeypatch, FRONT_ENV)
        # Every request comes from the front's address; the header the front writes tells the callers apart.
        assert [_predict_as(client, CALLER_A) for _ in range(4)] == [200, 200, 429, 429]  # a flood from one caller
        assert [_predict_as(client, CALLER_B) for _ in range(2)] == [200, 200]  # the other, same address, still served
        assert _predict_as(client, "arn:aws:sts::123456789012:assumed-role/scorer-b/session-2") == 429  # same role
        assert [_predict_as(client, None) for _ in range(3)] == [200, 200, 429]  # no header: one shared bucket
        assert _predict_as(client, "") == 429  # an empty value is no identity either
        assert client.get("/health", headers={"X-Fraudkit-Caller": CALLER_A}).status_code == 200  # never limited
    for caller in (CALLER_A, CALLER_B, "scorer-a", "scorer-b"):
        assert caller not in caplog.text  # the identity reaches no log


def test_without_the_front_the_identity_header_picks_no_bucket(monkeypatch) -> None:
    env = {k: v for k, v in FRONT_ENV.items() if k != "FRAUDKIT_RATE_LIMIT_IDENTITY_HEADER"}
    client = _client(monkeypatch, env)
    assert [_predict_as(client, CALLER_A) for _ in range(2)] == [200, 200]
    assert _predict_as(client, CALLER_B) == 429  # same address: a new header value is not a new bucket
    assert _predict_as(client, CALLER_B, address="10.0.0.2") == 200  # per address, as before


@pytest.mark.parametrize(
    ("value", "key"),
    [
        (None, UNIDENTIFIED),
        ("  ", UNIDENTIFIED),
        (CALLER_A, f"caller {CALLER_A}"),
        (CALLER_B, "caller arn:aws:sts::123456789012:assumed-role/scorer-b"),
        (
            "arn:aws-us-gov:sts::123456789012:assumed-role/r/s/x",
            "caller arn:aws-us-gov:sts::123456789012:assumed-role/r",
        ),
    ],
)
def test_caller_keys(value, key) -> None:
    assert caller_key(value) == key


# --- label poisoning ----------------------------------------------------------------------------------------

APPS_ROOT = Path(__file__).resolve().parents[1]
TERMINAL = 424242
# Five scored transactions at one terminal on five days, then a probe a week later: the terminal's fraud risk
# features of the probe count the frauds confirmed for the first five.
HISTORY = [
    {**GOOD_TX, "transaction_id": f"h{day}", "customer_id": 99, "terminal_id": TERMINAL,
     "tx_datetime": f"2018-09-0{day}T10:00:00"}
    for day in range(1, 6)
]  # fmt: skip
PROBE = {**GOOD_TX, "transaction_id": "probe", "customer_id": 99, "terminal_id": TERMINAL,
         "tx_datetime": "2018-09-13T10:00:00"}  # fmt: skip
POISON = {"transactions": [{**tx, "is_fraud": True} for tx in HISTORY]}


def _probe_score_after(monkeypatch, poisoner_header: str | None) -> tuple[float, int | None]:
    app_dir = APPS_ROOT / "flask-logreg-app"
    if not (app_dir / "model" / "model.json").is_file():
        pytest.skip("flask-logreg-app is not trained")
    for name, value in KEY_ENV.items():
        monkeypatch.setenv(name, value)
    client = create_app(app_dir, background=False).test_client()
    scoring = {"Authorization": f"Bearer {SCORING_OLD}"}
    assert client.post("/predict", json={"transactions": HISTORY}, headers=scoring).status_code == 200
    status = None
    if poisoner_header != "nobody":
        headers = {"Authorization": poisoner_header} if poisoner_header else {}
        status = client.post("/feedback", json=POISON, headers=headers).status_code
    reply = client.post("/predict", json={"transactions": [PROBE]}, headers=scoring)
    return reply.get_json()["predictions"][0]["fraud_probability"], status


def test_label_poisoning_by_an_anonymous_or_scoring_client_moves_no_score(monkeypatch) -> None:
    baseline, _ = _probe_score_after(monkeypatch, "nobody")
    anonymous, anonymous_status = _probe_score_after(monkeypatch, None)
    scorer, scorer_status = _probe_score_after(monkeypatch, f"Bearer {SCORING_OLD}")
    labeller, labeller_status = _probe_score_after(monkeypatch, f"Bearer {LABELLING}")
    assert (anonymous_status, scorer_status, labeller_status) == (401, 403, 200)
    assert anonymous == scorer == baseline
    # The same labels with the labelling key do move the probe's score: the test can see an attack that works.
    # (flask-logreg-app: about 0.006 -> 0.024.)
    assert labeller > 2 * baseline, (baseline, labeller)
