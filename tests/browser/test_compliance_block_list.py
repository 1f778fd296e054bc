"""The Compliance Center's Block list tab in real Chromium: the manual opt-out, search, both CSV
exports, a contact's history and the lift, then what the audit log says about it."""

import csv
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support.compliance_browser import DESKTOP, processed, text_in_over_http
from tests.support.consent import blocked
from tests.support.waiting import wait_for
from tests.support.world import CONTACT, NUMBER_A, NUMBER_B
from workspaces.models import Contact

pytestmark = pytest.mark.browser


def test_block_list_export_history_and_lift(
    page, live_server, public_base_url, login, world, screenshot_dir, tmp_path
):
    base = live_server.url
    Contact.objects.create(workspace=world.workspace, phone=CONTACT, name="Ada Lovelace")
    sid = text_in_over_http(page, base, "See you at 5.", to=NUMBER_A)  # not a keyword
    sid2 = text_in_over_http(page, base, "STOP", to=NUMBER_A)
    wait_for(lambda: processed(sid) and processed(sid2), message="texts processed")

    page.set_viewport_size(DESKTOP)
    login(page, "admin@acme.test", "pw-admin-1")
    page.goto(f"{base}/compliance/block-list/")

    # Manual opt-out of a contact who called in: errors first, then with a reason.
    form = page.locator("#manual-opt-out")
    page.fill("#id_contact", "415 555 01")
    form.get_by_role("button", name="Opt out").click()
    expect(page.locator("#id_contact_errors")).to_contain_text("is not a valid phone number")
    expect(page.locator("#id_reason_errors")).to_contain_text("Give a reason")
    page.fill("#id_contact", "(415) 555-0177")
    page.select_option("#id_phone_number", str(world.number_b.pk))
    page.fill("#id_reason", "Called the store and asked us to stop")
    page.locator("#manual-opt-out").get_by_role("button", name="Opt out").click()
    # It lands back on the block list (whose main action is not "Lift"), the contact on top.
    expect(page.locator(".flash")).to_contain_text("(415) 555-0177 is opted out")
    assert page.url == f"{base}/compliance/block-list/"
    rows = page.locator("table.bl-table tbody tr")
    expect(rows).to_have_count(2)
    ada = page.locator(f'tr[data-contact="{CONTACT}"]')
    expect(ada).to_contain_text("Ada Lovelace")
    expect(ada).to_contain_text("Keyword")
    expect(ada).to_contain_text("STOP")
    expect(page.locator('tr[data-contact="+14155550177"]')).to_contain_text("Agent")
    page.screenshot(path=str(screenshot_dir / "compliance-block-list.png"), full_page=True)

    page.fill("#id_q", "(415) 555-0177")
    page.get_by_role("button", name="Search").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Called the store")
    page.get_by_role("link", name="Clear").click()
    expect(rows).to_have_count(2)

    with page.expect_download() as download_info:
        page.click("#export-block-list")
    path = tmp_path / "block-list.csv"
    download_info.value.save_as(path)
    assert download_info.value.suggested_filename.startswith("block-list-")
    with Path(path).open(newline="") as f:
        exported = list(csv.DictReader(f))
    by_contact = {r["contact"]: r for r in exported}
    assert set(by_contact) == {CONTACT, "+14155550177"}
    assert by_contact[CONTACT]["name"] == "Ada Lovelace"
    assert (by_contact[CONTACT]["phone_number"], by_contact[CONTACT]["source"]) == (
        NUMBER_A,
        "keyword",
    )
    assert by_contact[CONTACT]["message"] == "STOP"
    assert by_contact["+14155550177"]["source"] == "agent"
    assert by_contact["+14155550177"]["phone_number"] == NUMBER_B
    assert by_contact["+14155550177"]["actor"] == "admin@acme.test"
    assert by_contact["+14155550177"]["reason"] == "Called the store and asked us to stop"

    with page.expect_download() as ledger_info:
        page.click("#export-ledger")
    ledger_path = tmp_path / "ledger.csv"
    ledger_info.value.save_as(ledger_path)
    with Path(ledger_path).open(newline="") as f:
        ledger = list(csv.DictReader(f))
    assert sorted((r["contact"], r["kind"], r["source"]) for r in ledger) == [
        (CONTACT, "opt_out", "keyword"),
        ("+14155550177", "opt_out", "agent"),
    ]

    # The contact's history, then a lift that needs a reason.
    page.get_by_role("link", name="Ada Lovelace").click()
    expect(page.locator("table.history-table tbody tr")).to_have_count(1)
    expect(page.locator(f'tr[data-number="{NUMBER_B}"]')).to_contain_text("Blocked")
    page.screenshot(path=str(screenshot_dir / "compliance-contact.png"), full_page=True)
    # The lift is folded away, its placeholder no longer suggesting "texted START".
    expect(page.get_by_role("button", name="Lift opt-out")).to_be_hidden()
    page.locator("#lift summary").click()
    expect(page.locator("#lift")).to_contain_text("The contact should have texted START")
    assert "START" not in (page.get_attribute("#id_reason", "placeholder") or "")
    page.get_by_role("button", name="Lift opt-out").click()
    expect(page.locator("#id_reason_errors")).to_contain_text("Give a reason")
    assert blocked(world, NUMBER_A)
    page.fill("#id_reason", "Texted START from a new phone, confirmed by phone call")
    page.get_by_role("button", name="Lift opt-out").click()
    expect(page.locator(".flash")).to_contain_text("lifted")
    expect(page.locator("h2#contact-title .badge")).to_have_count(0)
    expect(page.locator(f'tr[data-number="{NUMBER_B}"]')).not_to_contain_text("Blocked")
    expect(page.locator("table.history-table tbody tr")).to_have_count(2)
    assert not blocked(world, NUMBER_A) and not blocked(world, NUMBER_B)

    # The audit log says who did what.
    page.get_by_role("link", name="Audit log").click()
    audit = page.locator("table.audit-table tbody")
    expect(audit.locator('tr[data-action="opt_out_lifted"]')).to_contain_text("admin@acme.test")
    expect(audit.locator('tr[data-action="opt_out_recorded"]')).to_contain_text("Called the store")
    page.screenshot(path=str(screenshot_dir / "compliance-audit-log.png"), full_page=True)
