"""The API against its own OpenAPI schema (schemathesis): every operation, with a real API
token, valid and invalid generated input; no answer may be a 5xx or differ from the schema
(undocumented status code, undocumented content type, body not matching its schema).

Bounded so that it runs in `make test` (about 1,300 cases, 10-20 s on 2 cores): MAX_EXAMPLES
fuzzed cases per operation and per generation mode, plus the coverage phase's boundary cases.
`SCHEMATHESIS_MAX_EXAMPLES=200` runs a deeper one. CI runs it on PostgreSQL, which refuses
what SQLite lets through (a NUL in text, a LIMIT beyond a bigint).
"""

import os
import time

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from compliance_center.wsgi import application
from messaging.services.outbound import message_send
from optout import services as consent

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "20"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Besides schema-derived strings, one string in ten is a known troublemaker: a NUL (PostgreSQL
# refuses it in text), a formula, an invisible character, numbers int() or a bigint refuse.
# Phone-number inputs are often real numbers (the `world` fixture's, new ones), so that sends,
# new contacts and numbers succeed or conflict, not only fail validation.
NUMBERS = ["+14155550100", "+14155550101", "+14155550123", "+14155550124", "(415) 555-0125"]
PHONE_INPUTS = [
    "query.from",
    "query.to",
    "query.contact",
    "body.from",
    "body.to",
    "body.phone",
    "body.number",
    "body.contact",
    "body.phone_number",
]
CONFIG = schemathesis.Config.from_dict(
    {
        "parameters": {
            name: {"dictionary": "numbers", "probability": 0.5} for name in PHONE_INPUTS
        },
        "dictionaries": {
            "numbers": {"values": NUMBERS},
            "hostile": {
                "values": [
                    "\x00",
                    "a\x00b",
                    "+1415555\x000123",
                    '=HYPERLINK("http://evil","x")',
                    "S\u200bTOP",
                    "\u00b2",
                    "9" * 30,
                    "1" * 5000,
                ]
            },
        },
        "generation": {
            "dictionaries": {"string": {"dictionary": "hostile", "probability": 0.1}},
            # The token is the test's own (below), never a generated Authorization header.
            "with-security-parameters": False,
        },
    }
)
schema = schemathesis.openapi.from_wsgi("/api/schema/", application, config=CONFIG)
RUN = {"cases": 0}


@pytest.fixture(scope="module", autouse=True)
def _report():
    started = time.monotonic()
    yield
    took = time.monotonic() - started
    print(f"\nschemathesis: {RUN['cases']} cases in {took:.1f} s")


@pytest.fixture
def _keep_test_connection():
    """The WSGI app is called directly, not through Django's test client: like the client, keep
    Django from closing the connection that holds the test's transaction after each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def data(world):
    """What generated input rarely makes by itself: ids of a keyword and a message that exist
    (for the detail routes), and an opted-out contact (a send to it answers 422)."""
    number = world.number_a
    consent.opt_out_api(
        workspace=world.workspace, contact_phone="+14155550124", phone_number=number
    )
    keyword = consent.keyword_add(workspace=world.workspace, kind="help", keyword="FUZZHELP")
    message = message_send(
        workspace=world.workspace, from_number=number.number, to="+14155550123", body="Hello"
    )
    return {"/api/v1/keywords/{id}": keyword.pk, "/api/v1/messages/{id}": message.pk}


@pytest.mark.django_db
@pytest.mark.usefixtures("_keep_test_connection")
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_api_matches_its_schema(case, world, data):
    RUN["cases"] += 1
    generated_id = (case.path_parameters or {}).get("id")
    if case.path in data and isinstance(generated_id, int) and generated_id % 2 == 0:
        case.path_parameters["id"] = data[case.path]  # half the valid ids name a real object
    case.call_and_validate(headers={"Authorization": f"Token {world.api_token}"}, checks=CHECKS)
