"""The Compliance Center's Opt-out tab: the scope (with its confirmation), the confirmation text and
the signature (with its preview), each setting's effect proven through the webhook or send path."""

import pytest

from compliance_center.errors import DomainError
from messaging.services.outbound import message_send
from optout.models import AuditLogEntry
from tests.support.consent import blocked, last_reply, settings_of
from tests.support.pages import text
from tests.support.world import CONTACT, NUMBER_A, NUMBER_B

pytestmark = pytest.mark.django_db


def test_switching_to_per_number_needs_the_confirmation(as_admin, world):
    response = as_admin.post(
        "/compliance/opt-out/", {"section": "scope", "opt_out_scope": "phone_number"}
    )
    assert response.status_code == 200
    assert "Confirm the switch to Phone Number Opt-Out" in text(response)
    assert settings_of(world).opt_out_scope == "inbox"
    assert not AuditLogEntry.objects.filter(field="opt_out_scope").exists()


def test_bad_scope_value_is_refused_next_to_the_field(as_admin, world):
    response = as_admin.post("/compliance/opt-out/", {"section": "scope", "opt_out_scope": "all"})
    assert "Select a valid choice" in text(response)
    assert settings_of(world).opt_out_scope == "inbox"


def test_per_number_scope_governs_the_next_stop(as_admin, world, text_in):
    response = as_admin.post(
        "/compliance/opt-out/",
        {"section": "scope", "opt_out_scope": "phone_number", "confirm_phone_number": "on"},
    )
    assert response.status_code == 302
    entry = AuditLogEntry.objects.get(field="opt_out_scope")
    assert (entry.old_value, entry.new_value, entry.actor, entry.via) == (
        "inbox",
        "phone_number",
        world.admin_user,
        "web",
    )
    text_in("STOP", to=NUMBER_A)
    assert blocked(world, NUMBER_A) and not blocked(world, NUMBER_B)
    message_send(workspace=world.workspace, from_number=NUMBER_B, to=CONTACT, body="Still here")
    with pytest.raises(DomainError):
        message_send(workspace=world.workspace, from_number=NUMBER_A, to=CONTACT, body="Hi")

    # Back to inbox: no confirmation needed, and it blocks every number at once.
    response = as_admin.post("/compliance/opt-out/", {"section": "scope", "opt_out_scope": "inbox"})
    assert response.status_code == 302
    assert blocked(world, NUMBER_B)


def test_confirmation_text_edit_is_sent_on_the_next_stop(as_admin, world, text_in):
    new = "Acme: you're unsubscribed. Text START to come back."
    response = as_admin.post(
        "/compliance/opt-out/",
        {
            "section": "confirmation",
            "opt_out_confirmation_enabled": "on",
            "opt_out_confirmation_text": new,
        },
    )
    assert response.status_code == 302
    text_in("STOP")
    assert last_reply().body == new
    entry = AuditLogEntry.objects.get(field="opt_out_confirmation_text")
    assert entry.new_value == new and entry.actor == world.admin_user


def test_confirmation_off_sends_no_reply(as_admin, world, text_in):
    response = as_admin.post(
        "/compliance/opt-out/",
        {"section": "confirmation", "opt_out_confirmation_text": "Bye. Reply START."},
    )
    assert response.status_code == 302
    assert settings_of(world).opt_out_confirmation_enabled is False
    text_in("STOP")
    assert blocked(world, NUMBER_A)
    assert last_reply() is None


@pytest.mark.parametrize(
    "value, error",
    [("", "Write the text the contact receives."), ("x" * 1601, "at most 1600 characters")],
)
def test_confirmation_text_is_validated(as_admin, world, value, error):
    response = as_admin.post(
        "/compliance/opt-out/",
        {
            "section": "confirmation",
            "opt_out_confirmation_enabled": "on",
            "opt_out_confirmation_text": value,
        },
    )
    assert response.status_code == 200
    assert error in text(response)
    assert 'id="id_opt_out_confirmation_text_errors"' in response.content.decode()
    assert settings_of(world).opt_out_confirmation_text.startswith("You have been unsubscribed")


def test_signature_setting_is_applied_by_the_send_path(as_admin, world):
    response = as_admin.post(
        "/compliance/opt-out/",
        {
            "section": "signature",
            "signature_mode": "every_message",
            "signature_text": "Acme: reply STOP to opt out.",
        },
    )
    assert response.status_code == 302
    sent = message_send(workspace=world.workspace, from_number=NUMBER_A, to=CONTACT, body="Hi")
    assert sent.body == "Hi\nAcme: reply STOP to opt out."
    fields = set(AuditLogEntry.objects.values_list("field", flat=True))
    assert {"signature_mode", "signature_text"} <= fields


@pytest.mark.parametrize(
    "data, error",
    [
        ({"signature_mode": "every_message", "signature_text": ""}, "Write the signature"),
        ({"signature_mode": "sometimes", "signature_text": "Reply STOP"}, "Select a valid choice"),
        ({"signature_mode": "off", "signature_text": "x" * 161}, "at most 160 characters"),
    ],
)
def test_signature_form_errors(as_admin, world, data, error):
    response = as_admin.post("/compliance/opt-out/", {"section": "signature", **data})
    assert response.status_code == 200
    assert error in text(response)
    assert settings_of(world).signature_mode == "off"
    assert not AuditLogEntry.objects.exists()


def test_signature_preview_counts_segments(as_admin, world):
    response = as_admin.post(
        "/compliance/opt-out/preview/",
        {
            "signature_mode": "every_message",
            "signature_text": "Reply STOP to opt out.",
            "sample": "a" * 150,
        },
    )
    assert response.status_code == 200
    page = text(response)
    assert "Reply STOP to opt out." in page
    assert "173 characters" in page and "2 segments" in page and "GSM-7" in page

    response = as_admin.post(
        "/compliance/opt-out/preview/",
        {
            "signature_mode": "first_in_conversation",
            "signature_text": "Stop? Reply STOP",
            "sample": "Hi 👋",
        },
    )
    page = text(response)
    assert "UCS-2" in page and "1 segment" in page
    assert "later messages go without it" in page

    response = as_admin.post(
        "/compliance/opt-out/preview/",
        {"signature_mode": "off", "signature_text": "Reply STOP", "sample": "Hi"},
    )
    assert "Reply STOP" not in text(response) and "Signature off" in text(response)
    assert not AuditLogEntry.objects.exists()  # the preview saves nothing
