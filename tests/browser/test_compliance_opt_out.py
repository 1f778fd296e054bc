"""The Compliance Center's Opt-out tab in real Chromium (reached from the Overview): the scope
switch and its confirmation, the confirmation text and the signature's live preview, each proven
through signed webhooks posted over HTTP to the live server or through the send path."""

import pytest
from playwright.sync_api import expect

from compliance_center.errors import DomainError
from messaging.services.outbound import message_send
from optout import selectors
from tests.support.compliance_browser import DESKTOP, processed, seed_history, text_in_over_http
from tests.support.consent import blocked, last_reply
from tests.support.waiting import wait_for
from tests.support.world import CONTACT, NUMBER_A, NUMBER_B

pytestmark = pytest.mark.browser


def test_switching_scope_in_the_ui_governs_blocking(
    page, live_server, public_base_url, login, world, screenshot_dir
):
    seed_history(world)
    base = live_server.url
    page.set_viewport_size(DESKTOP)
    login(page, "admin@acme.test", "pw-admin-1")
    page.get_by_role("link", name="Settings → Compliance Center").click()
    expect(page.locator("h1")).to_have_text("Compliance Center")
    expect(page.locator(".rules li")).to_have_count(4)
    expect(page.locator('[data-stat="opt_outs_30"]')).to_have_text("13")
    expect(page.locator("svg.chart rect.bar")).to_have_count(30)
    page.screenshot(path=str(screenshot_dir / "compliance-overview.png"), full_page=True)

    page.get_by_role("navigation", name="Compliance Center").get_by_role(
        "link", name="Opt-out"
    ).click()
    expect(page.locator("#scope-inbox")).to_be_checked()
    warning = page.locator("#scope-warning")
    expect(warning).to_be_hidden()
    page.check("#scope-phone_number")
    expect(page.locator("#scope-phone_number")).to_be_checked()
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("your other numbers can still text them")
    page.locator("#scope").screenshot(path=str(screenshot_dir / "compliance-scope-warning.png"))

    # Saving without the confirmation is refused next to the checkbox.
    page.get_by_role("button", name="Save scope").click()
    expect(page.locator("#id_confirm_phone_number_errors")).to_contain_text(
        "Confirm the switch to Phone Number Opt-Out"
    )
    assert selectors.compliance_settings_for(world.workspace).opt_out_scope == "inbox"
    page.check("#id_confirm_phone_number")
    page.get_by_role("button", name="Save scope").click()
    # The confirmation sits in the section the page lands on, not in a flash far above.
    expect(page.locator("#scope [data-saved]")).to_contain_text("Opt-out scope saved.")
    expect(page.locator("#scope [data-saved]")).to_be_in_viewport()
    expect(page.locator("label[for=scope-phone_number] .badge")).to_have_text("Current")
    page.screenshot(path=str(screenshot_dir / "compliance-opt-out.png"), full_page=True)

    # The carrier posts the contact's STOP to number A: blocked on A only.
    sid = text_in_over_http(page, base, "STOP", to=NUMBER_A)
    wait_for(lambda: processed(sid), message="STOP processed")
    assert blocked(world, NUMBER_A)
    assert not blocked(world, NUMBER_B)
    with pytest.raises(DomainError):
        message_send(workspace=world.workspace, from_number=NUMBER_A, to=CONTACT, body="Hi")
    sent = message_send(workspace=world.workspace, from_number=NUMBER_B, to=CONTACT, body="Hi")
    assert sent.conversation.phone_number.number == NUMBER_B


def test_edited_confirmation_text_is_the_reply(page, live_server, public_base_url, login, world):
    base = live_server.url
    page.set_viewport_size(DESKTOP)
    login(page, "manager@acme.test", "pw-manager-1")
    page.goto(f"{base}/compliance/opt-out/")
    new = "Acme: you are unsubscribed and get no more texts. Reply START to opt back in."
    expect(page.locator("#id_opt_out_confirmation_enabled")).to_be_checked()
    page.fill("#id_opt_out_confirmation_text", "")
    page.get_by_role("button", name="Save confirmation").click()
    expect(page.locator("#id_opt_out_confirmation_text_errors")).to_contain_text(
        "Write the text the contact receives."
    )
    page.fill("#id_opt_out_confirmation_text", new)
    page.get_by_role("button", name="Save confirmation").click()
    expect(page.locator("#confirmation [data-saved]")).to_contain_text(
        "Opt-out confirmation saved."
    )
    expect(page.locator("#confirmation [data-saved]")).to_be_in_viewport()

    sid = text_in_over_http(page, base, "stop", to=NUMBER_B)
    wait_for(lambda: processed(sid) and last_reply(), message="confirmation queued")
    assert last_reply().body == new
    assert last_reply().conversation.phone_number.number == NUMBER_B


def test_signature_live_preview_and_send(page, live_server, login, world, screenshot_dir):
    base = live_server.url
    page.set_viewport_size(DESKTOP)
    login(page, "admin@acme.test", "pw-admin-1")
    page.goto(f"{base}/compliance/opt-out/#signature")
    preview = page.locator("#signature-preview")
    expect(preview).to_contain_text("Signature off")
    page.check("#signature-every_message")
    expect(preview).to_contain_text("Reply STOP to opt out.")
    page.fill("#id_signature_text", "Acme: reply STOP to opt out.")
    expect(page.locator("#preview-body")).to_contain_text("Acme: reply STOP to opt out.")
    page.fill("#id_sample", "x" * 140)
    expect(preview.locator(".segments")).to_have_text("2 segments")
    expect(preview.locator(".encoding")).to_have_text("GSM-7")
    page.fill("#id_sample", "Your table is ready 🍽")
    expect(preview.locator(".encoding")).to_have_text("UCS-2")
    expect(preview.locator(".segments")).to_have_text("1 segment")
    page.locator("#signature").screenshot(path=str(screenshot_dir / "compliance-signature.png"))
    page.get_by_role("button", name="Save signature").click()
    expect(page.locator("#signature [data-saved]")).to_contain_text("Opt-out signature saved.")
    expect(page.locator("#signature [data-saved]")).to_be_in_viewport()

    sent = message_send(workspace=world.workspace, from_number=NUMBER_A, to=CONTACT, body="Hi")
    assert sent.body == "Hi\nAcme: reply STOP to opt out."
