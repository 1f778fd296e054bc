"""The contact page works for any contact: consent per number, the chain of consent events
(requested → confirmed or expired, opt-outs, reviews), a name that can be edited (audited),
consent recorded with its evidence (the API's rules; double opt-in sends the request). The block
list finds contacts by name, number or the label of the number."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from messaging.models import Message, MessageSource
from optout import services
from optout.models import ConsentEvent, OptIn
from tests.support.pages import text
from tests.support.world import CONTACT, NUMBER_A, NUMBER_B
from workspaces.models import AuditLogEntry, Contact

pytestmark = pytest.mark.django_db


def contact_url(contact, action=""):
    return f"/compliance/contacts/{contact.pk}/{action + '/' if action else ''}"


def record(client, contact, **data):
    return client.post(contact_url(contact, "consent"), data)


@pytest.fixture
def ada(world):
    return Contact.objects.create(workspace=world.workspace, phone=CONTACT, name="Ada Lovelace")


# ---------------------------------------------------------------- the block list's search


def test_the_block_list_finds_names_numbers_and_the_label_of_the_number(as_admin, world):
    for phone, name, number in (
        ("+14155550123", "Ada Lovelace", world.number_a),
        ("+14155550124", "Room 101 Front Desk", world.number_b),
    ):
        contact = Contact.objects.create(workspace=world.workspace, phone=phone, name=name)
        services.opt_out_record(
            workspace=world.workspace, contact=contact, phone_number=number, source="api"
        )

    def found(q):
        page = as_admin.get("/compliance/block-list/", {"q": q}).content.decode()
        return {c for c in ("+14155550123", "+14155550124") if f'data-contact="{c}"' in page}

    assert found("ada") == {"+14155550123"}
    assert found("(415) 555-0124") == {"+14155550124"}
    assert found("Support") == {"+14155550124"}  # the label of the number it was made on
    assert found("sales") == {"+14155550123"}
    assert found("Room 101") == {"+14155550124"}  # a name with digits: not a number search
    assert found("front 555") == set()  # digits inside words search no number


# ---------------------------------------------------------------- the name


def test_a_contact_is_renamed_and_the_audit_log_says_so(as_admin, world, ada):
    response = as_admin.post(contact_url(ada, "name"), {"name": "  Ada   King  "})
    assert response.status_code == 302
    ada.refresh_from_db()
    assert ada.name == "Ada King"
    entry = AuditLogEntry.objects.get(action="contact_renamed")
    assert (entry.field, entry.old_value, entry.new_value, entry.actor) == (
        CONTACT,
        "Ada Lovelace",
        "Ada King",
        world.admin_user,
    )
    assert "Name saved." in text(as_admin.get(contact_url(ada)))
    log = text(as_admin.get("/compliance/audit-log/"))
    assert "Renamed a contact (415) 555-0123 Ada Lovelace Ada King" in log

    too_long = as_admin.post(contact_url(ada, "name"), {"name": "x" * 201})
    assert too_long.status_code == 400 and "A name has 200 characters at most." in text(too_long)
    as_admin.post(contact_url(ada, "name"), {"name": ""})
    ada.refresh_from_db()
    assert ada.name == "" and AuditLogEntry.objects.filter(action="contact_renamed").count() == 2
    as_admin.post(contact_url(ada, "name"), {"name": ""})  # unchanged: nothing audited
    assert AuditLogEntry.objects.filter(action="contact_renamed").count() == 2


# ---------------------------------------------------------------- consent


def test_a_contact_who_never_opted_out_has_a_page_with_consent_per_number(as_admin, world, ada):
    page = as_admin.get(contact_url(ada)).content.decode()
    for number in (NUMBER_A, NUMBER_B):
        assert f'data-number="{number}" data-consent="unknown"' in page
    assert "Lift the opt-out" not in page and 'id="record-consent"' in page


def test_consent_recorded_on_the_page_is_opted_in_with_its_evidence(as_admin, world, ada):
    response = record(
        as_admin,
        ada,
        source="paper_form",
        phone_number=world.number_a.pk,
        evidence="Signed the loyalty card form",
    )
    assert response.status_code == 302 and response["Location"].endswith("#record-consent")
    opt_in = OptIn.objects.get()
    assert (opt_in.status, opt_in.source, opt_in.recorded_by) == (
        "confirmed",
        "paper_form",
        world.admin_user,
    )
    page = as_admin.get(contact_url(ada)).content.decode()
    assert f'data-number="{NUMBER_B}" data-consent="opted_in"' in page  # inbox scope: every one
    assert "Consent recorded: they are opted in." in page and "Signed the loyalty card form" in page
    again = record(as_admin, ada, source="verbal", phone_number=world.number_a.pk, evidence="Again")
    assert again.status_code == 302
    assert "already on record" in text(as_admin.get(contact_url(ada)))


def test_consent_needs_evidence_at_the_field(as_admin, world, ada):
    response = record(as_admin, ada, source="web_form", phone_number=world.number_a.pk)
    assert response.status_code == 400
    assert "Record the evidence: the words or the form the contact agreed to." in text(response)
    assert not OptIn.objects.exists()


def test_double_opt_in_sends_the_request_and_the_chain_reads_to_the_yes(
    as_admin, world, ada, text_in, django_capture_on_commit_callbacks
):
    services.compliance_settings_update(workspace=world.workspace, double_opt_in_enabled=True)
    with django_capture_on_commit_callbacks(execute=True):
        record(as_admin, ada, source="web_form", phone_number=world.number_a.pk, evidence="Sign-up")
    request = Message.objects.get(source=MessageSource.SYSTEM)
    assert request.body.startswith("Acme: reply YES")
    page = as_admin.get(contact_url(ada)).content.decode()
    assert f'data-number="{NUMBER_A}" data-consent="pending"' in page
    assert "double opt-in request is on its way" in page
    text_in("YES", to=NUMBER_A)
    history = text(as_admin.get(contact_url(ada)))
    chain = history[history.index("Consent history") :]
    assert chain.index("Opted in") < chain.index("Double opt-in requested")  # newest first
    assert [e.kind for e in ConsentEvent.objects.order_by("id")] == ["opt_in_requested", "opt_in"]


def test_an_expired_request_is_in_the_chain(as_admin, world, ada):
    services.compliance_settings_update(
        workspace=world.workspace, double_opt_in_enabled=True, double_opt_in_expiry_days=1
    )
    services.consent_record(
        workspace=world.workspace, contact_phone=CONTACT, source="verbal", evidence="By phone"
    )
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        services.consent_requests_expire()
    page = as_admin.get(contact_url(ada)).content.decode()
    assert 'data-kind="opt_in_expired"' in page and "Request expired" in page
    assert f'data-number="{NUMBER_A}" data-consent="unknown"' in page


def test_opted_out_everywhere_says_why_consent_cannot_be_recorded(as_admin, world, opted_out):
    page = as_admin.get(contact_url(opted_out)).content.decode()
    assert "data-consent-closed" in page and 'action="/compliance/contacts/' in page
    assert f'action="{contact_url(opted_out, "consent")}"' not in page
    # The lift is there, folded away, and its placeholder does not suggest START.
    assert '<details class="lift"' in page
    assert "Contact texted START" not in page and "Asked by email to receive texts again" in page


def test_a_review_waiting_is_shown_on_the_contact_page(as_admin, world, text_in):
    text_in("leave me alone", to=NUMBER_B)
    contact = Contact.objects.get(phone=CONTACT)
    page = text(as_admin.get(contact_url(contact)))
    assert "Waiting for a person's decision" in page and "leave me alone" in page
