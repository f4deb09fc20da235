"""schemathesis fuzzes the OpenAPI document against the app in-process (WSGI): no input may cause a 5xx,
and every reply must match the document (status codes, content type, body schema). Twice: with keys off, and
with keys on and each operation's key sent (schemathesis also checks that leaving the key out is refused)."""

from __future__ import annotations

import os
from unittest import mock

import schemathesis
from fake_scorer import fake_loader
from hypothesis import HealthCheck, settings

from fraudkit.serving import create_app

# A small batch limit keeps generated bodies small; the limit itself is tested in test_serving_validation.
app = create_app("fake", loader=fake_loader, background=False, max_batch=3)
schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
# An over-long batch is a documented 413 (Payload Too Large), a refusal like 400.
schema.config.checks.negative_data_rejection.expected_statuses = ["400", "413", "415"]
# JSON Schema cannot say "a real calendar date" (2018-02-30 fits the pattern) or "as many ids as rows", so a
# schema-valid body may still earn a 400 naming the field; anything else (413, 415, 5xx) would be a bug.
schema.config.checks.positive_data_acceptance.expected_statuses = ["200", "400"]


@schema.parametrize()
@settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_no_generated_request_breaks_the_server(case) -> None:
    case.call_and_validate()


SCORING_KEY = "fuzz-scoring-0123456789abcdefghijklmnopqrstu"
LABELLING_KEY = "fuzz-labelling-0123456789abcdefghijklmnopqrs"
KEY_ENV = {"FRAUDKIT_SCORING_KEYS": SCORING_KEY, "FRAUDKIT_LABELLING_KEYS": LABELLING_KEY}

with mock.patch.dict(os.environ, KEY_ENV):
    keyed_app = create_app("fake", loader=fake_loader, background=False, max_batch=3)
# The document is behind the scoring key too.
keyed_schema = schemathesis.openapi.from_wsgi(
    "/openapi.json", keyed_app, headers={"Authorization": f"Bearer {SCORING_KEY}"}
)
# Negative data is the unkeyed run's job: here the key sent with every call would put back an Authorization
# header that a negative case removed (schemathesis 4.4 then expects a refusal of a valid request).
keyed_schema.config.checks.negative_data_rejection.enabled = False
keyed_schema.config.checks.positive_data_acceptance.expected_statuses = ["200", "400"]


@keyed_schema.parametrize()
@settings(max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_no_generated_request_with_the_key_breaks_the_server(case) -> None:
    key = LABELLING_KEY if case.path == "/feedback" else SCORING_KEY
    case.call_and_validate(headers={"Authorization": f"Bearer {key}"})
