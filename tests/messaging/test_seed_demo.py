"""The seed_demo management command: a demo with a short history, the same after a second run."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from messaging.models import Direction, InboundMessage, Message, MessageSource
from optout.models import ConsentEvent, OptIn, OptOut, RevocationReview
from optout.selectors import compliance_settings_for
from workspaces.models import ApiToken, AuditLogEntry, Contact, Workspace

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def snapshot(workspace) -> dict:
    return {
        "contacts": sorted(workspace.contacts.values_list("phone", "name")),
        "messages": Message.objects.filter(workspace=workspace).count(),
        "inbound": InboundMessage.objects.filter(workspace=workspace).count(),
        "events": ConsentEvent.objects.filter(workspace=workspace).count(),
        "opt_outs": OptOut.objects.filter(workspace=workspace).count(),
        "reviews": RevocationReview.objects.filter(workspace=workspace).count(),
        "opt_ins": OptIn.objects.filter(workspace=workspace).count(),
    }


def test_seed_demo_is_idempotent_with_a_history():
    run("seed_demo")
    workspace = Workspace.objects.get(slug="demo")
    first = snapshot(workspace)
    run("seed_demo")
    assert snapshot(workspace) == first
    assert workspace.phone_numbers.count() == 2
    assert workspace.memberships.count() == 2
    assert workspace.time_zone == "America/Los_Angeles"

    named = {name for _, name in first["contacts"] if name}
    assert {"Ada Lovelace", "Grace Hopper", "Alan Turing", "Margaret Hamilton"} <= named

    # One opted out of every number (Inbox Opt-Out), one of the Support number only; the
    # workspace's scope is back to what it was.
    grace = OptOut.objects.get(contact__name="Grace Hopper")
    alan = OptOut.objects.get(contact__name="Alan Turing")
    assert (grace.scope, grace.phone_number.label) == ("inbox", "Sales")
    assert (alan.scope, alan.phone_number.label) == ("phone_number", "Support")
    assert compliance_settings_for(workspace).opt_out_scope == "inbox"

    # A conversation whose agent reply carries the signature, and its confirmations.
    reply = Message.objects.get(
        conversation__contact__name="Ada Lovelace",
        direction=Direction.OUTBOUND,
        source=MessageSource.INBOX,
    )
    assert reply.signature_applied and reply.body.endswith("Reply STOP to opt out.")
    assert reply.sent_by.email == "admin@example.com"
    assert Message.objects.filter(workspace=workspace, source=MessageSource.SYSTEM).count() == 2

    # Consent on record with its evidence, and a text waiting for a person's review.
    consent = OptIn.objects.get(contact__name="Katherine Johnson")
    assert consent.status == "confirmed" and "checkout form" in consent.evidence
    review = RevocationReview.objects.get()
    assert review.contact.name == "Margaret Hamilton" and review.status == "open"

    # Set-up is not somebody's change: nothing in the audit log.
    assert not AuditLogEntry.objects.filter(workspace=workspace).exists()


def test_seed_demo_prints_a_working_api_token_and_the_real_url(client, monkeypatch, settings):
    monkeypatch.setenv("PORT", "9001")
    run("seed_demo")
    out = run("seed_demo")
    assert "http://127.0.0.1:9001/" in out and "8000" not in out
    token = re.search(r"\b(cc_[\w-]+)", out).group(1)
    active = ApiToken.objects.filter(workspace__slug="demo", revoked_at__isnull=True)
    assert active.count() == 1  # the first run's token was revoked
    answer = client.get("/api/v1/contacts", HTTP_AUTHORIZATION=f"Token {token}")
    assert answer.status_code == 200
    assert Contact.objects.get(phone="+14155550123").name == "Ada Lovelace"

    monkeypatch.delenv("PORT")
    settings.PUBLIC_BASE_URL = "https://demo.example.test"
    assert "Log in at https://demo.example.test/" in run("seed_demo")
