"""A contact's page in real Chromium, for a contact who never opted out: rename them (audited),
record their consent under double opt-in (the request goes out), their YES by a signed webhook,
and the chain of consent events that follows."""

import pytest
from playwright.sync_api import expect

from messaging.models import Message, MessageSource
from optout.services import compliance_settings_update
from tests.support.browser_pages import Watch, look_at
from tests.support.compliance_browser import DESKTOP, processed, text_in_over_http
from tests.support.waiting import wait_for
from tests.support.world import CONTACT, NUMBER_A, NUMBER_B
from workspaces.models import AuditLogEntry, Contact

pytestmark = pytest.mark.browser


def test_record_consent_under_double_opt_in_and_follow_the_chain(
    page, live_server, public_base_url, login, world, screenshot_dir
):
    base = live_server.url
    watch = Watch(page)
    compliance_settings_update(workspace=world.workspace, double_opt_in_enabled=True)
    contact = Contact.objects.create(workspace=world.workspace, phone=CONTACT)
    page.set_viewport_size(DESKTOP)
    login(page, "admin@acme.test", "pw-admin-1")
    page.goto(f"{base}/compliance/contacts/{contact.pk}/")
    for number in (NUMBER_A, NUMBER_B):
        expect(page.locator(f'tr[data-number="{number}"]')).to_contain_text("No consent on record")

    # A name for them, audited.
    page.fill("#id_name", "Ada Lovelace")
    page.get_by_role("button", name="Save name").click()
    expect(page.locator("#contact [data-saved]")).to_contain_text("Name saved.")
    expect(page.locator("h2#contact-title")).to_contain_text("Ada Lovelace")
    assert AuditLogEntry.objects.filter(action="contact_renamed", actor=world.admin_user).exists()

    # Consent from a web form: under double opt-in the request goes out, they are pending.
    page.get_by_role("button", name="Record consent").click()
    expect(page.locator("#id_evidence_errors")).to_contain_text("Record the evidence")
    page.select_option("#id_source", "web_form")
    page.fill("#id_evidence", "Ticked “Text me order updates” at checkout, order #1042")
    page.get_by_role("button", name="Record consent").click()
    expect(page.locator('#record-consent [data-saved="record-consent"]')).to_contain_text(
        "double opt-in request is on its way"
    )
    expect(page.locator(f'tr[data-number="{NUMBER_A}"]')).to_contain_text("Double opt-in pending")
    request = wait_for(
        lambda: Message.objects.filter(
            conversation__contact=contact, source=MessageSource.SYSTEM, status="delivered"
        ).first(),
        message="the request delivered",
    )
    assert request.body.startswith("Acme: reply YES")
    look_at(page, "contact-pending", screenshot_dir, watch)

    # Their YES, through the carrier: opted in, and the chain reads requested → opted in.
    sid = text_in_over_http(page.context.new_page(), base, "YES", to=NUMBER_A)
    wait_for(lambda: processed(sid), message="YES processed")
    page.reload()
    expect(page.locator(f'tr[data-number="{NUMBER_A}"]')).to_contain_text("Opted in")
    kinds = page.locator("table.history-table tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.kind)"
    )
    assert kinds == ["opt_in", "opt_in_requested"]  # newest first
    expect(page.locator('tr[data-kind="opt_in_requested"] td[data-label="By"]')).to_have_text(
        "admin@acme.test"
    )
    expect(page.locator('tr[data-kind="opt_in"] td[data-label="By"]')).to_have_text("The contact")
    look_at(page, "contact-opted-in", screenshot_dir, watch)
