"""The composer's read of the send policy (optout.send_preview): the same checks as a send,
answered as data without raising or counting anything."""

from datetime import UTC, datetime

import pytest

from optout import services
from optout.models import RuleOutcome
from optout.selectors import compliance_settings_for
from optout.send_preview import send_preview
from tests.support.world import CONTACT
from workspaces.models import Contact

pytestmark = pytest.mark.django_db

NEW_YORK = "+12125550123"
# 08:30 UTC on a Wednesday in January: 03:30 in New York.
NIGHT = datetime(2027, 1, 13, 8, 30, tzinfo=UTC)
# 18:00 UTC: 13:00 in New York.
DAY = datetime(2027, 1, 13, 18, 0, tzinfo=UTC)


def preview(world, recipient=CONTACT, body="Hello", now=DAY):
    return send_preview(
        workspace_id=world.workspace.pk,
        rules=compliance_settings_for(world.workspace),
        sender=world.number_a,
        recipient=recipient,
        body=body,
        now=now,
    )


def test_an_opted_out_contact_is_flagged_without_raising(world):
    contact = Contact.objects.create(workspace=world.workspace, phone=CONTACT)
    services.opt_out_record(
        workspace=world.workspace, contact=contact, phone_number=world.number_b, source="keyword"
    )
    answer = preview(world)
    assert answer.blocked and answer.status == "opted_out"
    assert answer.refusal_code == "recipient_opted_out"
    assert "opted out (keyword)" in answer.refusal


def test_consent_before_contact_is_the_refusal_of_a_stranger(world):
    services.compliance_settings_update(workspace=world.workspace, consent_required=True)
    answer = preview(world)
    assert (answer.status, answer.refusal_code) == ("unknown", "consent_required")
    services.consent_record(
        workspace=world.workspace,
        contact_phone=CONTACT,
        source="web_form",
        evidence="Signed up at the counter",
        number=world.number_a,
    )
    answer = preview(world)
    assert (answer.status, answer.refusal_code) == ("opted_in", "")


def test_content_refusals_and_warnings_come_from_the_policy(world):
    assert preview(world, body="Wine tasting tonight").refusal_code == "content_blocked"
    services.compliance_settings_update(
        workspace=world.workspace, content_rules={"alcohol": "warn"}
    )
    answer = preview(world, body="WINE TASTING TONIGHT!!! bit.ly/x1")
    assert answer.refusal_code == ""
    assert answer.warnings == (
        "url_shortener",
        "all_caps",
        "excessive_punctuation",
        "content_alcohol",
        "number_unregistered",
    )
    sentences = dict(answer.warning_sentences)
    assert "link shortener" in sentences["url_shortener"]
    assert "alcohol" in sentences["content_alcohol"]


def test_an_empty_draft_has_nothing_to_warn_about(world):
    assert preview(world, body="  ").warnings == ()


def test_quiet_hours_are_the_recipients_and_say_when_they_end(world):
    services.compliance_settings_update(
        workspace=world.workspace,
        quiet_hours_enabled=True,
        quiet_hours_start=datetime(2000, 1, 1, 21).time(),
        quiet_hours_end=datetime(2000, 1, 1, 8).time(),
    )
    answer = preview(world, recipient=NEW_YORK, now=NIGHT)
    assert answer.window is not None and not answer.window.open
    assert answer.window_note == (
        "Quiet hours in America/New_York until 08:00 — sends are refused; API sends can be held."
    )
    assert preview(world, recipient=NEW_YORK, now=DAY).window_note == ""
    # A contact who texted in the last day is answered at any hour: no window applies.
    Contact.objects.create(workspace=world.workspace, phone=NEW_YORK, last_inbound_at=NIGHT)
    assert preview(world, recipient=NEW_YORK, now=NIGHT).window is None


def test_a_preview_counts_nothing(world):
    services.compliance_settings_update(workspace=world.workspace, consent_required=True)
    preview(world, body="Wine!!! bit.ly/x")
    assert not RuleOutcome.objects.exists()
