"""The Compliance Center in real Chromium: every tab used the way an admin would, each setting's
effect proven through signed webhooks posted over HTTP to the live server or through the send
path, a screenshot of each tab at 1280 px and at 390 px."""

import csv
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from compliance_center.errors import DomainError
from messaging.models import Message
from messaging.services.outbound import message_send
from optout import selectors, services
from optout.models import ConsentEvent, Keyword, OptOut
from tests.support.consent import blocked, last_reply
from tests.support.twilio_webhooks import inbound_params, sign
from tests.support.waiting import wait_for
from tests.support.world import CONTACT, NUMBER_A, NUMBER_B
from workspaces.models import Contact

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 390, "height": 844}
WEBHOOK = "/webhooks/twilio/sms/"
TABS = {
    "overview": "/compliance/",
    "opt-out": "/compliance/opt-out/",
    "keywords": "/compliance/keywords/",
    "block-list": "/compliance/block-list/",
    "audit-log": "/compliance/audit-log/",
}


def text_in_over_http(page, base: str, body: str, *, to: str = NUMBER_A, from_: str = CONTACT):
    """The carrier's side: a signed inbound SMS posted to the live server."""
    params = inbound_params(body, to=to, from_=from_)
    response = page.request.post(
        f"{base}{WEBHOOK}", form=params, headers={"X-Twilio-Signature": sign(WEBHOOK, params)}
    )
    assert response.status == 200, response.text()
    assert "<Response" in response.text()
    return params["MessageSid"]


def processed(sid: str):
    return Message.objects.filter(provider_sid=sid).exists()


def seed_history(world):
    """A month of opt-outs and opt-ins so the Overview's figures and chart have something."""
    now = timezone.now()
    for i, days_ago in enumerate([0, 0, 1, 3, 3, 3, 6, 9, 12, 12, 17, 22, 26]):
        contact = Contact.objects.create(
            workspace=world.workspace, phone=f"+1415555{i + 300:04d}", name=f"Demo contact {i}"
        )
        number = world.number_a if i % 3 else world.number_b
        services.opt_out_record(
            workspace=world.workspace,
            contact=contact,
            phone_number=number,
            source="keyword",
            text=services.TextEvidence(body="STOP"),
        )
        if i % 5 == 4:
            services.opt_in_record(
                workspace=world.workspace,
                contact=contact,
                phone_number=number,
                source="keyword",
                text=services.TextEvidence(body="START"),
            )
        ConsentEvent.objects.filter(contact=contact).update(
            created_at=now - timedelta(days=days_ago, hours=1)
        )
        OptOut.objects.filter(contact=contact).update(
            created_at=now - timedelta(days=days_ago, hours=1)
        )


def fits_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


# ---------------------------------------------------------------- Opt-out tab


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
    expect(page.locator(".flash")).to_contain_text("Opt-out scope saved.")
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
    expect(page.locator(".flash")).to_contain_text("Opt-out confirmation saved.")

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
    expect(page.locator(".flash")).to_contain_text("Opt-out signature saved.")

    sent = message_send(workspace=world.workspace, from_number=NUMBER_A, to=CONTACT, body="Hi")
    assert sent.body == "Hi\nAcme: reply STOP to opt out."


# ---------------------------------------------------------------- Keywords tab


def test_custom_keyword_matches_and_the_limit_is_shown(
    page, live_server, public_base_url, login, world, screenshot_dir
):
    base = live_server.url
    page.set_viewport_size(DESKTOP)
    login(page, "admin@acme.test", "pw-admin-1")
    page.goto(f"{base}/compliance/keywords/")
    card = page.locator("#kw-opt_out")
    expect(card.locator(".chip.builtin", has_text="STOP").first).to_be_visible()
    expect(card.get_by_role("button", name="Remove STOP")).to_have_count(0)

    page.fill("#id_opt_out-keyword", "Baja")
    card.locator("summary").click()
    page.fill("#id_opt_out-language", "es")
    page.fill("#id_opt_out-reply_text", "Has sido dado de baja. Responde START para volver.")
    card.get_by_role("button", name="Add").click()
    expect(page.locator(".flash")).to_contain_text("BAJA added")
    expect(page.locator('#kw-opt_out [data-keyword="BAJA"]')).to_contain_text("es")

    # A duplicate across kinds is refused next to the field.
    page.fill("#id_opt_in-keyword", "baja")
    page.locator("#kw-opt_in").get_by_role("button", name="Add").click()
    expect(page.locator("#id_opt_in-keyword_errors")).to_have_text(
        "BAJA is already a custom opt-out keyword."
    )

    # The contact texts it: an opt-out, with the keyword's own reply.
    sid = text_in_over_http(page, base, "  baja!  ", to=NUMBER_A)
    wait_for(lambda: processed(sid) and last_reply(), message="BAJA processed")
    event = ConsentEvent.objects.get(contact__phone=CONTACT)
    assert (event.kind, event.source, event.message_body) == ("opt_out", "keyword", "  baja!  ")
    assert blocked(world, NUMBER_A)
    assert last_reply().body == "Has sido dado de baja. Responde START para volver."

    # Fill the kind up to 19, add the 20th in the page, then the 21st is refused.
    for i in range(18):
        services.keyword_add(workspace=world.workspace, kind="opt_out", keyword=f"ALTO{i}")
    page.goto(f"{base}/compliance/keywords/")
    page.fill("#id_opt_out-keyword", "PARAR")
    page.locator("#kw-opt_out").get_by_role("button", name="Add").click()
    expect(page.locator("#kw-opt_out .kw-head .badge")).to_have_text("20 of 20 custom")
    page.fill("#id_opt_out-keyword", "DETENER")
    page.locator("#kw-opt_out").get_by_role("button", name="Add").click()
    expect(page.locator("#id_opt_out-keyword_errors")).to_have_text(
        "A workspace can have at most 20 custom opt-out keywords."
    )
    assert not Keyword.objects.filter(keyword="DETENER").exists()
    page.screenshot(path=str(screenshot_dir / "compliance-keywords.png"), full_page=True)


# ---------------------------------------------------------------- Block list and Audit log


def test_block_list_export_history_and_lift(
    page, live_server, public_base_url, login, world, screenshot_dir, tmp_path
):
    base = live_server.url
    Contact.objects.create(workspace=world.workspace, phone=CONTACT, name="Ada Lovelace")
    sid = text_in_over_http(page, base, "Stop please.", to=NUMBER_A)  # not a keyword
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
    expect(page.locator(".flash")).to_contain_text("+1 415-555-0177 is opted out.")

    page.goto(f"{base}/compliance/block-list/")
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
    expect(page.locator("#lift")).to_contain_text("The contact should have texted START")
    expect(page.locator(f'.reach li[data-number="{NUMBER_B}"]')).to_contain_text("Blocked")
    page.screenshot(path=str(screenshot_dir / "compliance-contact.png"), full_page=True)
    page.get_by_role("button", name="Lift opt-out").click()
    expect(page.locator("#id_reason_errors")).to_contain_text("Give a reason")
    assert blocked(world, NUMBER_A)
    page.fill("#id_reason", "Texted START from a new phone, confirmed by phone call")
    page.get_by_role("button", name="Lift opt-out").click()
    expect(page.locator(".flash")).to_contain_text("lifted")
    expect(page.locator("h2#contact-title")).to_contain_text("Not opted out")
    expect(page.locator("table.history-table tbody tr")).to_have_count(2)
    assert not blocked(world, NUMBER_A) and not blocked(world, NUMBER_B)

    # The audit log says who did what.
    page.get_by_role("link", name="Audit log").click()
    audit = page.locator("table.audit-table tbody")
    expect(audit.locator('tr[data-action="opt_out_lifted"]')).to_contain_text("admin@acme.test")
    expect(audit.locator('tr[data-action="opt_out_recorded"]')).to_contain_text("Called the store")
    page.screenshot(path=str(screenshot_dir / "compliance-audit-log.png"), full_page=True)


def test_audit_log_records_scope_change_from_the_page(page, live_server, login, world):
    page.set_viewport_size(DESKTOP)
    login(page, "admin@acme.test", "pw-admin-1")
    page.goto(f"{live_server.url}/compliance/opt-out/")
    page.uncheck("#id_opt_out_confirmation_enabled")
    page.get_by_role("button", name="Save confirmation").click()
    expect(page.locator(".flash")).to_contain_text("saved")
    page.goto(f"{live_server.url}/compliance/audit-log/")
    row = page.locator('tr[data-field="opt_out_confirmation_enabled"]')
    expect(row).to_contain_text("admin@acme.test")
    expect(row.locator(".old")).to_have_text("On")
    expect(row.locator(".new")).to_have_text("Off")


# ---------------------------------------------------------------- roles and phone width


def test_agent_cannot_reach_the_compliance_center(page, live_server, login, world):
    page.set_viewport_size(DESKTOP)
    login(page, "agent@acme.test", "pw-agent-1")
    expect(page.locator("h1")).to_have_text("Inbox")
    expect(page.get_by_role("link", name="Settings → Compliance Center")).to_have_count(0)
    assert page.locator('a[href^="/compliance/"]').count() == 0
    for url in TABS.values():
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == 403
        expect(page.locator("main")).to_contain_text(
            "Your role does not include access to the Compliance Center; ask an Admin or Manager."
        )


@pytest.mark.parametrize("size, suffix", [(DESKTOP, "-1280"), (MOBILE, "-390")])
def test_every_tab_is_tidy(page, live_server, login, world, screenshot_dir, size, suffix):
    seed_history(world)
    services.keyword_add(
        workspace=world.workspace,
        kind="opt_out",
        keyword="BAJA",
        language="es",
        reply_text="Has sido dado de baja.",
    )
    services.compliance_settings_update(
        workspace=world.workspace, actor=world.admin_user, via="web", signature_mode="every_message"
    )
    page.set_viewport_size(size)
    login(page, "admin@acme.test", "pw-admin-1")
    for name, url in TABS.items():
        page.goto(f"{live_server.url}{url}")
        expect(page.locator("h1")).to_have_text("Compliance Center")
        assert fits_width(page), f"{name} overflows at {size['width']} px"
        page.screenshot(path=str(screenshot_dir / f"compliance-{name}{suffix}.png"), full_page=True)
