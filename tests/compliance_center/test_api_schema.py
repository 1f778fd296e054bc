"""The OpenAPI schema says what the API does: its security scheme, the error answers of every
operation in the one error shape, CSV on the ledger, times without an offset, and no warning
from drf-spectacular."""

import json
import re

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

OPERATIONS = ("get", "post", "patch", "put", "delete")
ERROR_REF = "#/components/schemas/Error"


@pytest.fixture
def spec(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return json.loads(response.content)


def _operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in OPERATIONS:
                yield path, method, operation


def _error_codes(operation, status: int) -> set[str]:
    response = operation["responses"][str(status)]
    assert response["content"]["application/json"]["schema"]["$ref"] == ERROR_REF
    return set(re.findall(r"`([a-z_]+)`", response["description"]))


def test_the_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", tmp_path / "s.yaml")


def test_the_token_is_the_security_scheme_of_every_operation(spec):
    scheme = spec["components"]["securitySchemes"]["workspaceToken"]
    assert scheme == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": scheme["description"],
    }
    assert "Token <api_token>" in scheme["description"]
    for path, method, operation in _operations(spec):
        assert operation["security"] == [{"workspaceToken": []}], (method, path)
        assert _error_codes(operation, 401) == {"not_authenticated", "authentication_failed"}
        assert "invalid" in _error_codes(operation, 400), (method, path)


def test_the_error_shape(spec):
    error = spec["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"code", "detail", "fields"}
    assert set(error["required"]) == {"code", "detail"}


def test_each_operation_documents_the_errors_it_gives(spec):
    paths = spec["paths"]
    send = paths["/api/v1/messages"]["post"]
    assert set(send["responses"]) >= {"201", "400", "401", "415", "422"}
    assert _error_codes(send, 422) == {
        "recipient_opted_out",
        "consent_required",
        "consent_pending",
        "quiet_hours",
        "content_blocked",
    }
    assert _error_codes(send, 400) >= {"invalid_number", "unknown_sender_number", "parse_error"}
    assert _error_codes(paths["/api/v1/phone-numbers"]["post"], 409) == {"number_taken"}
    assert _error_codes(paths["/api/v1/contacts"]["post"], 409) == {"contact_exists"}
    assert "keyword_limit_reached" in _error_codes(paths["/api/v1/keywords"]["post"], 400)
    assert _error_codes(paths["/api/v1/opt-outs/check"]["get"], 400) >= {
        "invalid_number",
        "unknown_sender_number",
    }
    for path in ("/api/v1/messages/{id}", "/api/v1/keywords/{id}"):
        for method, operation in paths[path].items():
            assert _error_codes(operation, 404) == {"not_found"}, (method, path)
    assert "404" not in paths["/api/v1/messages"]["get"]["responses"]
    assert "422" not in paths["/api/v1/contacts"]["post"]["responses"]


def test_the_ledger_documents_its_csv(spec):
    ok = spec["paths"]["/api/v1/consent-events"]["get"]["responses"]["200"]["content"]
    assert set(ok) == {"application/json", "text/csv"}


def test_times_are_documented_without_an_offset(spec):
    schemas = spec["components"]["schemas"]
    for component in ("ComplianceSettings", "PatchedComplianceSettingsRequest"):
        for name in ("quiet_hours_start", "quiet_hours_end"):
            field = schemas[component]["properties"][name]
            assert "format" not in field, field
            pattern = re.compile(field["pattern"])
            assert pattern.search("21:00") and pattern.search("21:00:00")
            assert pattern.search("08:30:00.250000")
            assert not pattern.search("21:00:00+00:00") and not pattern.search("24:00")


def test_request_bodies_say_which_strings_may_not_be_blank(spec):
    schemas = spec["components"]["schemas"]
    assert schemas["KeywordRequest"]["properties"]["keyword"]["minLength"] == 1
    assert schemas["SendRequest"]["properties"]["body"]["minLength"] == 1
    assert "minLength" not in schemas["ContactRequest"]["properties"]["name"]  # may be blank
    assert "minLength" not in schemas["Keyword"]["properties"]["keyword"]  # answers: no rule


def test_descriptions_are_the_endpoints_own(spec):
    for path, method, operation in _operations(spec):
        assert "For DRF views" not in operation.get("description", ""), (method, path)


def test_the_ledger_says_which_fields_may_be_null(spec, api, world):
    event = spec["components"]["schemas"]["ConsentEvent"]["properties"]
    assert event["actor"]["nullable"] is True and event["phone_number"]["nullable"] is True
    assert event["numbers"] == {"type": "array", "items": {"type": "string"}}
    opt_out = {"contact": "+14155550124", "phone_number": world.number_a.number}
    assert api.post("/api/v1/opt-outs", opt_out, format="json").status_code == 201
    [answer] = api.get("/api/v1/consent-events").json()["results"]
    assert answer["actor"] is None  # an API opt-out has no person behind it
    assert answer["numbers"] == [world.number_a.number, world.number_b.number]


def test_schema_and_docs(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in ["/api/v1/messages", "/api/v1/opt-outs/check", "/api/v1/keywords"]:
        assert path in text
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
