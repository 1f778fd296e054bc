"""The reply editors of the Opt-out and Keywords tabs in real Chromium: each reply previews live
as the contact gets it, counted by the server, with its soft warnings — an opt-out confirmation
without a way back in or past one segment, a double opt-in request missing what it must say."""

import pytest
from playwright.sync_api import expect

from tests.support.browser_pages import DESKTOP, MOBILE, Watch

pytestmark = pytest.mark.browser

GOOD_REQUEST = (
    "{brand}: reply YES to get order updates (up to 4 msgs/month). Reply STOP to stop, HELP for "
    "help. Msg & data rates may apply."
)


def test_the_opt_out_confirmation_warns_softly(page, live_server, login, world, screenshot_dir):
    watch = Watch(page)
    page.set_viewport_size(DESKTOP)
    login(page, "admin@acme.test", "pw-admin-1")
    page.goto(f"{live_server.url}/compliance/opt-out/")
    preview = page.locator("#preview-opt_out")
    expect(preview.locator(".sms-bubble")).to_contain_text("Reply START to opt back in")
    expect(preview.locator("[data-reply-warnings]")).to_have_count(0)

    page.fill("#id_opt_out_confirmation_text", "You are unsubscribed.")
    expect(preview.locator(".sms-bubble")).to_have_text("You are unsubscribed.")
    expect(preview.locator("[data-reply-warnings]")).to_contain_text("how to opt back in")
    page.fill("#id_opt_out_confirmation_text", "Unsubscribed. Reply START to opt back in. " * 5)
    expect(preview.locator(".segments")).to_have_text("2 segments")
    expect(preview.locator("[data-reply-warnings]")).to_contain_text("runs past one segment")
    expect(preview.locator("[data-reply-warnings]")).not_to_contain_text("how to opt back in")
    page.locator("#confirmation").screenshot(path=str(screenshot_dir / "reply-opt-out-warning.png"))
    # A soft warning: it still saves.
    page.get_by_role("button", name="Save confirmation").click()
    expect(page.locator("#confirmation [data-saved]")).to_contain_text("saved")
    watch.check("the opt-out confirmation editor")


def test_the_double_opt_in_editor_lists_what_is_missing(
    page, live_server, login, world, screenshot_dir
):
    watch = Watch(page)
    page.set_viewport_size(DESKTOP)
    login(page, "admin@acme.test", "pw-admin-1")
    page.goto(f"{live_server.url}/compliance/opt-out/#consent")
    preview = page.locator("#preview-double_opt_in")
    page.fill("#id_double_opt_in_text", "{brand}: reply YES for our deals")
    missing = preview.locator("[data-request-missing] + ul")
    expect(missing).to_contain_text("how to stop (STOP)")
    expect(missing).to_contain_text("“Msg & data rates may apply”")
    expect(missing).not_to_contain_text("the brand")
    expect(preview.locator(".sms-bubble")).to_have_text("Acme: reply YES for our deals")
    page.locator("#consent").screenshot(path=str(screenshot_dir / "reply-double-opt-in.png"))
    page.set_viewport_size(MOBILE)
    page.locator("#consent").screenshot(path=str(screenshot_dir / "reply-double-opt-in-390.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]
    page.set_viewport_size(DESKTOP)

    page.fill("#id_double_opt_in_text", GOOD_REQUEST)
    expect(preview.locator("[data-request-missing]")).to_have_count(0)
    expect(preview.locator(".segments")).to_have_text("1 segment")
    page.fill(
        "#id_double_opt_in_text", GOOD_REQUEST + " Thanks for shopping with us at Main St!" * 2
    )
    expect(preview.locator("[data-reply-warnings]")).to_contain_text("runs past one segment")

    page.fill("#id_welcome_text", "{brand}: you're in! 🎉")
    welcome = page.locator("#preview-welcome")
    expect(welcome.locator(".sms-bubble")).to_have_text("Acme: you're in! 🎉")
    expect(welcome.locator(".encoding")).to_have_text("UCS-2")
    watch.check("the double opt-in editor")


def test_the_keyword_replies_preview_too(page, live_server, login, world):
    watch = Watch(page)
    page.set_viewport_size(DESKTOP)
    login(page, "manager@acme.test", "pw-manager-1")
    page.goto(f"{live_server.url}/compliance/keywords/#replies")
    page.fill("#id_help_text", "Acme support: call 415-555-0100. " * 6)
    expect(page.locator("#preview-help .segments")).to_have_text("2 segments")
    page.fill("#id_opt_in_confirmation_text", "Welcome back!")
    expect(page.locator("#preview-opt_in .sms-bubble")).to_have_text("Welcome back!")
    expect(page.locator("#preview-opt_in [data-reply-warnings]")).to_have_count(0)
    watch.check("the keyword replies")
