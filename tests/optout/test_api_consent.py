"""The REST API of consent: compliance settings (with their audit), keywords, opt-outs and the
opt-out check, the consent ledger and its CSV, and the CRM webhook endpoints."""

import csv
import io

import pytest

from optout.models import AuditLogEntry, ConsentEvent, Keyword
from tests.support.world import CONTACT, NUMBER_A, NUMBER_B

pytestmark = pytest.mark.django_db


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
