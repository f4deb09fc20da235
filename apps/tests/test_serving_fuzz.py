"""schemathesis fuzzes the OpenAPI document against the app in-process (WSGI): no input may cause a 5xx,
and every reply must match the document (status codes, content type, body schema)."""

from __future__ import annotations

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
