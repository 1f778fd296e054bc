"""The Compliance Center's Block list tab: rows and search, the manual opt-out, a contact's history
and the lift, paging, and the CSV exports (block list, consent ledger)."""

import re

import pytest

from compliance_center.errors import DomainError
from messaging.services.outbound import message_send
from optout import services
from optout.models import AuditLogEntry, ConsentEvent, OptOut
from tests.support.consent import blocked
from tests.support.pages import csv_rows, text
from tests.support.world import CONTACT, NUMBER_A, NUMBER_B
from workspaces.models import Contact

pytestmark = pytest.mark.django_db


def test_block_list_rows_and_search(as_admin, world, text_in):
    Contact.objects.create(workspace=world.workspace, phone=CONTACT, name="Ada Lovelace")
    text_in("Stop.", to=NUMBER_A)
    text_in("unsubscribe", to=NUMBER_B, from_="+14155550188")
    page = as_admin.get("/compliance/block-list/")
    rows = re.findall(r'<tr data-contact="([^"]+)" data-number="([^"]+)"', page.content.decode())
    assert sorted(rows) == [(CONTACT, NUMBER_A), ("+14155550188", NUMBER_B)]
    content = text(page)
    assert "Ada Lovelace" in content and "Stop." in content and "Keyword" in content
    assert "2 contacts blocked" in content

    found = text(as_admin.get("/compliance/block-list/", {"q": "(415) 555-0123"}))
    assert "Ada Lovelace" in found and "+14155550188" not in found
    none = text(as_admin.get("/compliance/block-list/", {"q": "555-9999"}))
    assert "No blocked contact matches" in none


def test_manual_opt_out_with_reason(as_admin, world):
    response = as_admin.post(
        "/compliance/block-list/opt-out/",
        {
            "contact": "(415) 555-0177",
            "phone_number": world.number_b.pk,
            "reason": "Asked by email",
        },
    )
    contact = Contact.objects.get(workspace=world.workspace, phone="+14155550177")
    assert response.status_code == 302
    # Back to the block list: the page a manual opt-out lands on has no "Lift" as its action.
    assert response["Location"] == "/compliance/block-list/"
    event = ConsentEvent.objects.get(contact=contact)
    assert (event.kind, event.source, event.actor, event.reason) == (
        "opt_out",
        "agent",
        world.admin_user,
        "Asked by email",
    )
    entry = AuditLogEntry.objects.get(action="opt_out_recorded")
    assert entry.field == "+14155550177" and "Asked by email" in entry.new_value
    with pytest.raises(DomainError):
        message_send(workspace=world.workspace, from_number=NUMBER_A, to="+14155550177", body="x")


@pytest.mark.parametrize(
    "data, error",
    [
        ({"contact": "12", "reason": "asked"}, "“12” is not a valid phone number."),
        ({"contact": "+14155550177", "reason": "   "}, "Give a reason"),
        ({"contact": "", "reason": "asked"}, "Type the contact's phone number."),
    ],
)
def test_manual_opt_out_form_errors(as_admin, world, data, error):
    response = as_admin.post(
        "/compliance/block-list/opt-out/", {"phone_number": world.number_a.pk, **data}
    )
    assert response.status_code == 200
    assert error in text(response)
    assert not ConsentEvent.objects.exists() and not AuditLogEntry.objects.exists()


def test_contact_history_and_lift_needs_a_reason(as_admin, world, text_in, opted_out):
    page = text(as_admin.get(f"/compliance/contacts/{opted_out.pk}/"))
    assert "Consent history" in page and "Opted out" in page and "Stop." in page
    assert "The contact should have texted START" in page

    response = as_admin.post(f"/compliance/contacts/{opted_out.pk}/lift/", {"reason": " "})
    assert response.status_code == 200
    assert "Give a reason: an opt-out is only lifted with one." in text(response)
    assert blocked(world, NUMBER_A) and blocked(world, NUMBER_B)

    response = as_admin.post(
        f"/compliance/contacts/{opted_out.pk}/lift/", {"reason": "Signed consent form at store"}
    )
    assert response.status_code == 302
    assert not blocked(world, NUMBER_A) and not blocked(world, NUMBER_B)
    lift = ConsentEvent.objects.filter(contact=opted_out, kind="opt_in").get()
    assert (lift.source, lift.actor, lift.reason) == (
        "agent",
        world.admin_user,
        "Signed consent form at store",
    )
    entry = AuditLogEntry.objects.get(action="opt_out_lifted")
    assert entry.actor == world.admin_user and "Signed consent form" in entry.new_value
    message_send(workspace=world.workspace, from_number=NUMBER_A, to=CONTACT, body="Welcome back")
    history = text(as_admin.get(f"/compliance/contacts/{opted_out.pk}/"))
    assert "Opted in" in history and "Signed consent form at store" in history
    assert "Lift the opt-out" not in history


def test_lift_under_per_number_scope_lifts_every_number(as_admin, world, text_in):
    services.compliance_settings_update(workspace=world.workspace, opt_out_scope="phone_number")
    text_in("STOP", to=NUMBER_A)
    text_in("STOP", to=NUMBER_B)
    contact = Contact.objects.get(phone=CONTACT)
    as_admin.post(f"/compliance/contacts/{contact.pk}/lift/", {"reason": "Called us"})
    assert not OptOut.objects.filter(contact=contact).exists()


def test_block_list_pages_keep_the_search(as_admin, world):
    for i in range(55):
        contact = Contact.objects.create(workspace=world.workspace, phone=f"+1415555{i + 400:04d}")
        services.opt_out_record(
            workspace=world.workspace,
            contact=contact,
            phone_number=world.number_a,
            source="import",
        )
    first = as_admin.get("/compliance/block-list/").content.decode()
    assert "Page 1 of 2" in first and 'href="?page=2"' in first
    searched = as_admin.get("/compliance/block-list/", {"q": "+1415555"}).content.decode()
    assert 'href="?q=%2B1415555&amp;page=2"' in searched
    second = as_admin.get("/compliance/block-list/", {"q": "+1415555", "page": 2}).content.decode()
    assert "Page 2 of 2" in second and "← Newer" in second


# ---------------------------------------------------------------- CSV exports


def test_block_list_csv(as_admin, world, text_in):
    text_in("Stop.", to=NUMBER_A)
    as_admin.post(
        "/compliance/block-list/opt-out/",
        {"contact": "+14155550177", "phone_number": world.number_b.pk, "reason": "By phone"},
    )
    response = as_admin.get("/compliance/block-list.csv")
    assert response["Content-Type"] == "text/csv"
    assert "attachment" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0] == [
        "contact",
        "name",
        "phone_number",
        "scope",
        "source",
        "opted_out_at",
        "message",
        "reason",
        "actor",
    ]
    by_contact = {r[0]: r for r in rows[1:]}
    assert set(by_contact) == {CONTACT, "+14155550177"}
    assert by_contact[CONTACT][2:5] == [NUMBER_A, "inbox", "keyword"]
    assert by_contact[CONTACT][6] == "Stop."
    assert by_contact["+14155550177"][2:5] == [NUMBER_B, "inbox", "agent"]
    assert by_contact["+14155550177"][7:] == ["By phone", "admin@acme.test"]


def test_consent_ledger_csv_and_per_contact_filter(as_admin, world, text_in):
    text_in("STOP", to=NUMBER_A)
    text_in("START", to=NUMBER_A)
    text_in("STOP", to=NUMBER_A, from_="+14155550188")
    rows = csv_rows(as_admin.get("/compliance/consent-ledger.csv"))
    assert rows[0][:4] == ["id", "contact", "kind", "source"]
    assert sorted((r[1], r[2]) for r in rows[1:]) == [
        (CONTACT, "opt_in"),
        (CONTACT, "opt_out"),
        ("+14155550188", "opt_out"),
    ]
    contact = Contact.objects.get(phone="+14155550188")
    rows = csv_rows(as_admin.get(f"/compliance/consent-ledger.csv?contact={contact.pk}"))
    assert [(r[1], r[2]) for r in rows[1:]] == [("+14155550188", "opt_out")]
