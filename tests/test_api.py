"""The REST API with real tokens: contract, error codes and tenant scoping."""

import csv
import io

import pytest
from rest_framework.test import APIClient

from messaging.models import Message
from optout.models import AuditLogEntry, ConsentEvent, Keyword
from tests.support.api import client_for
from tests.support.world import CONTACT, NUMBER_A, NUMBER_B

pytestmark = pytest.mark.django_db


def test_requests_without_a_valid_token_are_401(world):
    anonymous = APIClient()
    response = anonymous.get("/api/v1/compliance-settings")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    response = client_for("cc_wrong").get("/api/v1/compliance-settings")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_compliance_settings_read_and_patch_with_audit(api, world):
    data = api.get("/api/v1/compliance-settings").json()
    assert data["opt_out_scope"] == "inbox"
    assert data["opt_out_confirmation_enabled"] is True
    assert data["signature_mode"] == "off"
    assert "START" in data["opt_out_confirmation_text"]
    response = api.patch(
        "/api/v1/compliance-settings",
        {"opt_out_scope": "phone_number", "signature_mode": "every_message"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["opt_out_scope"] == "phone_number"
    entries = {e.field: (e.old_value, e.new_value, e.via) for e in AuditLogEntry.objects.all()}
    assert entries["opt_out_scope"] == ("inbox", "phone_number", "api")


def test_compliance_settings_reject_bad_values(api):
    response = api.patch("/api/v1/compliance-settings", {"opt_out_scope": "galaxy"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_choice"
    assert "opt_out_scope" in body["fields"]


def test_phone_numbers(api, world, other_world):
    listed = [n["number"] for n in api.get("/api/v1/phone-numbers").json()["results"]]
    assert listed == [NUMBER_A, NUMBER_B]  # not the other workspace's
    response = api.post("/api/v1/phone-numbers", {"number": "(415) 555-0102", "label": "Ops"})
    assert response.status_code == 201 and response.json()["number"] == "+14155550102"
    response = api.post("/api/v1/phone-numbers", {"number": "+14155550199"})
    assert (response.status_code, response.json()["code"]) == (409, "number_taken")
    response = api.post("/api/v1/phone-numbers", {"number": "12"})
    assert (response.status_code, response.json()["code"]) == (400, "invalid_number")


def test_keywords_limit_and_duplicates(api, world):
    for i in range(20):
        response = api.post("/api/v1/keywords", {"kind": "opt_out", "keyword": f"BYE{i}"})
        assert response.status_code == 201, response.json()
    response = api.post("/api/v1/keywords", {"kind": "opt_out", "keyword": "BYE20"})
    assert (response.status_code, response.json()["code"]) == (400, "keyword_limit_reached")
    # other kinds have their own 20
    assert (
        api.post("/api/v1/keywords", {"kind": "opt_in", "keyword": "SUBSCRIBE"}).status_code == 201
    )
    duplicate = api.post("/api/v1/keywords", {"kind": "help", "keyword": "subscribe"})
    assert (duplicate.status_code, duplicate.json()["code"]) == (400, "keyword_exists")
    builtin = api.post("/api/v1/keywords", {"kind": "opt_in", "keyword": "Stop"})
    assert builtin.json()["code"] == "keyword_exists"
    bad = api.post("/api/v1/keywords", {"kind": "nonsense", "keyword": "X"})
    assert bad.status_code == 400
    assert Keyword.objects.filter(workspace=world.workspace).count() == 21


def test_contacts(api, world):
    response = api.post("/api/v1/contacts", {"phone": "415-555-0123", "name": "Ada"})
    assert response.status_code == 201
    assert response.json()["phone"] == CONTACT
    again = api.post("/api/v1/contacts", {"phone": CONTACT})
    assert (again.status_code, again.json()["code"]) == (409, "contact_exists")
    assert api.post("/api/v1/contacts", {"phone": "abc"}).json()["code"] == "invalid_number"
    [contact] = api.get("/api/v1/contacts").json()["results"]
    assert contact["opted_out"] is False


def test_manual_opt_out_check_and_list(api, world):
    check = api.get("/api/v1/opt-outs/check", {"from": NUMBER_A, "to": CONTACT}).json()
    assert check["blocked"] is False
    response = api.post(
        "/api/v1/opt-outs",
        {"contact": CONTACT, "phone_number": NUMBER_A, "reason": "asked by email"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["source"] == "api" and response.json()["scope"] == "inbox"
    check = api.get("/api/v1/opt-outs/check", {"from": NUMBER_B, "to": CONTACT}).json()
    assert check["blocked"] is True
    assert check["code"] == "recipient_opted_out"
    assert check["source"] == "api"
    [row] = api.get("/api/v1/opt-outs").json()["results"]
    assert row["contact"] == CONTACT and row["reason"] == "asked by email"


def test_opt_out_check_errors(api, world):
    bad = api.get("/api/v1/opt-outs/check", {"from": NUMBER_A, "to": "nope"})
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_number")
    foreign = api.get("/api/v1/opt-outs/check", {"from": "+14155550199", "to": CONTACT})
    assert foreign.json()["code"] == "unknown_sender_number"
    missing = api.get("/api/v1/opt-outs/check", {"from": NUMBER_A})
    assert missing.status_code == 400


def test_opt_out_check_tolerates_an_unencoded_plus(api, world):
    response = api.get(f"/api/v1/opt-outs/check?from={NUMBER_A}&to={CONTACT}")
    assert response.status_code == 200 and response.json()["to"] == CONTACT


def test_send_message_contract(api, world, django_capture_on_commit_callbacks):
    from optout.services import compliance_settings_update

    compliance_settings_update(workspace=world.workspace, signature_mode="every_message")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/messages", {"from": NUMBER_A, "to": CONTACT, "body": "Hi 👋"}, format="json"
        )
    assert response.status_code == 201
    data = response.json()
    assert data["body"] == "Hi 👋\nReply STOP to opt out."
    assert data["segments"] == 1 and data["encoding"] == "UCS-2"
    assert data["status"] == "queued"
    assert (data["from"], data["to"]) == (NUMBER_A, CONTACT)
    detail = api.get(f"/api/v1/messages/{data['id']}").json()
    assert detail["status"] == "delivered" and detail["provider_sid"].startswith("SM")


@pytest.mark.parametrize(
    "payload, status, code",
    [
        ({"from": NUMBER_A, "to": "12", "body": "x"}, 400, "invalid_number"),
        ({"from": "+14155550177", "to": CONTACT, "body": "x"}, 400, "unknown_sender_number"),
        ({"from": NUMBER_A, "to": CONTACT, "body": "   "}, 400, "invalid_body"),
        ({"from": NUMBER_A, "to": CONTACT}, 400, "invalid"),
        ({"from": NUMBER_A, "to": CONTACT, "body": "x" * 1601}, 400, "max_length"),
    ],
)
def test_send_message_refusals(api, world, payload, status, code):
    response = api.post("/api/v1/messages", payload, format="json")
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert response.json()["detail"]
    assert not Message.objects.exists()


def test_send_to_an_opted_out_contact_is_422(api, world, text_in):
    text_in("STOP")
    response = api.post("/api/v1/messages", {"from": NUMBER_B, "to": CONTACT, "body": "x"})
    assert response.status_code == 422
    assert response.json()["code"] == "recipient_opted_out"
    assert "opted out" in response.json()["detail"]


def test_consent_events_filter_and_csv(api, world, text_in):
    text_in("STOP")
    text_in("START", from_="+14155550124")
    data = api.get("/api/v1/consent-events", {"contact": CONTACT}).json()
    assert [e["kind"] for e in data["results"]] == ["opt_out"]
    response = api.get("/api/v1/consent-events", {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {(r["contact"], r["kind"], r["source"]) for r in rows} == {
        (CONTACT, "opt_out", "keyword"),
        ("+14155550124", "opt_in", "keyword"),
    }
    assert ConsentEvent.objects.count() == 2


def test_webhook_endpoints_notify_the_crm(api, world, text_in, monkeypatch):
    from optout import crm

    posted = []

    class Answer:
        status_code = 200

    def fake_post(url, data, timeout, headers):
        posted.append((url, data, headers))
        return Answer()

    monkeypatch.setattr(crm.requests, "post", fake_post)
    response = api.post(
        "/api/v1/webhook-endpoints", {"url": "https://crm.example.com/hook"}, format="json"
    )
    assert response.status_code == 201
    secret = response.json()["secret"]
    text_in("STOP")
    [(url, body, headers)] = posted
    assert url == "https://crm.example.com/hook"
    assert b'"type": "contact.opt_out"' in body
    assert headers["X-Compliance-Signature"] == crm.sign(secret, body)
    from optout.models import WebhookDelivery

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("delivered", 1)


def test_schema_and_docs(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in ["/api/v1/messages", "/api/v1/opt-outs/check", "/api/v1/keywords"]:
        assert path in text
    docs = client.get("/api/docs/")
    assert docs.status_code == 200


def test_healthz_reports_database_and_broker(client, monkeypatch):
    from compliance_center import health

    monkeypatch.setattr(health, "_broker", lambda: "ok")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok", "workers": 0}
    monkeypatch.setattr(health, "_broker", lambda: "down: OperationalError")
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["broker"].startswith("down")
