"""The demo story in real Chromium: an agent texts a contact from the inbox, the contact answers
from the phone simulator (signed webhooks over HTTP), STOP raises the opt-out banner without a
reload, per-number scope still allows the other number, START lifts the banner."""

import re

import pytest
from playwright.sync_api import expect

from optout.services import compliance_settings_update
from tests.support.world import CONTACT, NUMBER_A, NUMBER_B
from workspaces.models import Contact

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 860}
MOBILE = {"width": 390, "height": 844}
LIVE = 12_000  # ms: polling runs every 2 s


def new_conversation(page, base: str, number_pk: int, to: str, body: str) -> str:
    page.goto(f"{base}/inbox/new/")
    page.select_option("#id_from_number", str(number_pk))
    page.fill("#id_to", to)
    page.fill("#id_body", body)
    expect(page.locator("#new-counter")).to_contain_text("Signature appended")
    page.click(".new-form button[type=submit]")
    page.wait_for_url(re.compile(r"/inbox/c/\d+/$"))
    return page.url


def phone_send(phone, body: str) -> None:
    phone.fill("#sim-body", body)
    phone.press("#sim-body", "Enter")
    expect(phone.locator("#sim-body")).to_have_value("")


def test_demo_story(page, live_server, public_base_url, login, world, screenshot_dir):
    compliance_settings_update(
        workspace=world.workspace, signature_mode="every_message", opt_out_scope="phone_number"
    )
    Contact.objects.create(workspace=world.workspace, phone=CONTACT, name="Ada Lovelace")
    base = live_server.url
    page.set_viewport_size(DESKTOP)
    login(page, "agent@acme.test", "pw-agent-1")

    # 1. The agent writes to a contact, typing the number the way people do.
    thread_a = new_conversation(
        page, base, world.number_a.pk, "(415) 555-0123", "Hi Ada, your order is ready."
    )
    sent = page.locator(".msg-outbound .bubble").last
    expect(sent).to_contain_text("Hi Ada, your order is ready.")
    expect(sent).to_contain_text("Reply STOP to opt out.")
    expect(page.locator(".msg-outbound .status").last).to_have_text("Delivered")
    page.evaluate("window.__sameDocument = true")  # survives only if the page never reloads

    # 2. In a second tab, the contact's phone has received it, signature included.
    phone = page.context.new_page()
    phone.set_viewport_size(DESKTOP)
    phone.goto(f"{base}/simulator/")
    phone.fill("#id_contact", "+1 415 555 0123")
    phone.select_option("#id_number", NUMBER_A)
    screen = phone.locator("#phone-screen")
    received = screen.locator(".pm-them").last
    expect(received).to_contain_text("Hi Ada, your order is ready.", timeout=LIVE)
    expect(received).to_contain_text("Reply STOP to opt out.")

    # 3. The contact replies STOP; the phone shows the confirmation.
    phone_send(phone, "STOP")
    expect(screen.locator(".pm-me").last).to_have_text(re.compile("STOP"), timeout=LIVE)
    expect(screen.locator(".pm-them").last).to_contain_text(
        "You have been unsubscribed", timeout=LIVE
    )
    phone.screenshot(path=str(screenshot_dir / "demo-simulator.png"))

    # 4. The inbox thread shows the banner and a disabled composer, without a reload.
    page.bring_to_front()
    banner = page.locator("#opt-out-banner")
    expect(banner).to_be_visible(timeout=LIVE)
    expect(banner).to_contain_text("The contact replied STOP to (415) 555-0100")
    expect(banner).to_contain_text("Phone number opt-out: blocked from (415) 555-0100 only")
    expect(page.locator("#composer-body")).to_be_disabled(timeout=LIVE)
    expect(page.locator("#composer button[type=submit]")).to_be_disabled()
    expect(page.locator("#composer .composer-blocked")).to_contain_text("Sending is disabled")
    expect(page.locator(".event").last).to_contain_text(
        "Contact replied STOP — opted out of (415) 555-0100 only"
    )
    expect(page.locator(".msg-auto").last).to_contain_text("Automatic reply")
    assert page.evaluate("window.__sameDocument") is True
    assert page.url == thread_a
    page.screenshot(path=str(screenshot_dir / "demo-thread-banner.png"))
    page.set_viewport_size(MOBILE)
    page.screenshot(path=str(screenshot_dir / "demo-thread-banner-mobile.png"))
    page.set_viewport_size(DESKTOP)

    # 5. Under per-number scope the other number can still text the contact.
    new_conversation(page, base, world.number_b.pk, "415.555.0123", "Support here: all good?")
    expect(page.locator("#opt-out-banner")).to_have_count(0)
    expect(page.locator("#composer-body")).to_be_enabled()
    phone.select_option("#id_number", NUMBER_B)
    expect(screen.locator(".phone-head")).to_contain_text("Support")
    expect(screen.locator(".pm-them").last).to_contain_text("Support here: all good?", timeout=LIVE)

    # 6. The contact texts START to the first number: the banner goes away, live.
    page.goto(thread_a)
    expect(page.locator("#opt-out-banner")).to_be_visible()
    page.evaluate("window.__sameDocument = true")
    phone.select_option("#id_number", NUMBER_A)
    expect(screen.locator(".phone-head")).to_contain_text("Sales")
    phone_send(phone, "START")
    expect(screen.locator(".pm-them").last).to_contain_text("re-subscribed", timeout=LIVE)
    expect(page.locator("#opt-out-banner")).to_have_count(0, timeout=LIVE)
    expect(page.locator("#composer-body")).to_be_enabled(timeout=LIVE)
    expect(page.locator(".event").last).to_contain_text(
        "Contact replied START — opted back in to (415) 555-0100 only"
    )
    assert page.evaluate("window.__sameDocument") is True

    # 7. The agent answers with Enter; the phone receives it.
    page.fill("#composer-body", "Welcome back, Ada!")
    page.press("#composer-body", "Enter")
    expect(page.locator(".msg-outbound .bubble").last).to_contain_text("Welcome back, Ada!")
    expect(page.locator("#composer-body")).to_have_value("")
    expect(screen.locator(".pm-them").last).to_contain_text("Welcome back, Ada!", timeout=LIVE)
    phone.screenshot(path=str(screenshot_dir / "demo-simulator-after-start.png"))
    phone.set_viewport_size(MOBILE)
    phone.screenshot(path=str(screenshot_dir / "demo-simulator-mobile.png"), full_page=True)

    # The inbox across all numbers: both conversations, contact name, last message.
    page.goto(f"{base}/inbox/")
    rows = page.locator(".conv")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Ada Lovelace")
    page.screenshot(path=str(screenshot_dir / "demo-inbox.png"))
    page.set_viewport_size(MOBILE)
    page.screenshot(path=str(screenshot_dir / "demo-inbox-mobile.png"))


def test_inbox_updates_live_and_filters(page, live_server, public_base_url, login, world, text_in):
    """A new inbound text appears in the open inbox list without a reload; filters narrow it."""
    base = live_server.url
    page.set_viewport_size(DESKTOP)
    login(page, "agent@acme.test", "pw-agent-1")
    page.goto(f"{base}/inbox/")
    expect(page.locator(".conv-empty")).to_be_visible()
    text_in("Hello from a new contact", to=NUMBER_B, from_="+14155550177")
    row = page.locator(".conv").first
    expect(row).to_contain_text("Hello from a new contact", timeout=LIVE)
    expect(row.locator(".badge.unread")).to_contain_text("1")
    page.select_option("#filter-number", str(world.number_a.pk))
    expect(page.locator(".conv")).to_have_count(0)
    expect(page.locator(".conv-empty")).to_contain_text("No conversation matches")
    page.select_option("#filter-number", "")
    page.fill("#filter-q", "555-0177")
    expect(page.locator(".conv")).to_have_count(1)
    row.click()
    expect(page.locator(".thread-messages")).to_contain_text("Hello from a new contact")
    expect(page.locator(".conv.is-current .badge.unread")).to_have_count(0, timeout=LIVE)
