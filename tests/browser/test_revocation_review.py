"""Revocation by any reasonable means, decided by a person in real Chromium: "leave me alone"
through a signed webhook opens a review; one is decided from the thread (the yellow marker with
"Opt out" and "Not a revocation", each asking for a reason), another from the Compliance
Center's Reviews tab; the ledger says who decided, and the contact's page shows it."""

import pytest
from playwright.sync_api import expect

from messaging.models import Conversation, Message, MessageSource
from optout.models import ConsentEvent, RevocationReview
from tests.support.browser_pages import DESKTOP, MOBILE, Watch
from tests.support.compliance_browser import processed, text_in_over_http
from tests.support.consent import blocked
from tests.support.waiting import wait_for
from tests.support.world import CONTACT, NUMBER_A, NUMBER_B
from workspaces.models import Contact

pytestmark = pytest.mark.browser

GRACE = "+14155550124"


def text_in(page, base, body, **kwargs):
    sid = text_in_over_http(page.context.new_page(), base, body, **kwargs)
    wait_for(lambda: processed(sid), message=f"{body!r} processed")


def test_reviews_are_decided_in_the_thread_and_the_reviews_tab(
    page, live_server, public_base_url, login, world, screenshot_dir
):
    base = live_server.url
    watch = Watch(page)
    Contact.objects.create(workspace=world.workspace, phone=CONTACT, name="Ada Lovelace")
    Contact.objects.create(workspace=world.workspace, phone=GRACE, name="Grace Hopper")
    text_in(page, base, "leave me alone", to=NUMBER_A)
    text_in(page, base, "why do you keep texting me", to=NUMBER_B, from_=GRACE)
    assert RevocationReview.objects.filter(status="open").count() == 2

    # 1. From the thread: the yellow marker, under the text that opened it.
    page.set_viewport_size(DESKTOP)
    login(page, "manager@acme.test", "pw-manager-1")
    conversation = Conversation.objects.get(contact__phone=CONTACT)
    page.goto(f"{base}/inbox/c/{conversation.pk}/")
    marker = page.locator(".review-marker")
    expect(marker).to_contain_text("Might this text revoke consent?")
    expect(marker).to_contain_text("leave me alone")
    expect(marker.get_by_role("button", name="Opt out")).to_be_visible()
    expect(marker.get_by_role("button", name="Not a revocation")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "review-in-thread.png"))
    page.set_viewport_size(MOBILE)
    page.screenshot(path=str(screenshot_dir / "review-in-thread-390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]
    page.set_viewport_size(DESKTOP)

    # Each decision asks for a reason: without one, nothing is sent.
    not_revocation = marker.locator("form").filter(
        has=page.get_by_role("button", name="Not a revocation")
    )
    not_revocation.get_by_role("button", name="Not a revocation").click()
    assert not_revocation.locator("input[name=reason]").evaluate("e => !e.validity.valid")
    opt_out = marker.locator("form").filter(has=page.get_by_role("button", name="Opt out"))
    opt_out.get_by_role("button", name="Opt out").click()
    assert opt_out.locator("input[name=reason]").evaluate("e => !e.validity.valid")
    assert RevocationReview.objects.filter(status="open").count() == 2

    not_revocation.locator("input[name=reason]").fill("Annoyed by the delivery delay, not a stop")
    # A text arriving meanwhile redraws the thread: the reason being typed stays.
    text_in(page, base, "Where is my parcel?", to=NUMBER_A)
    expect(page.locator(".msg-inbound").last).to_contain_text("Where is my parcel?", timeout=12_000)
    expect(not_revocation.locator("input[name=reason]")).to_have_value(
        "Annoyed by the delivery delay, not a stop"
    )
    not_revocation.get_by_role("button", name="Not a revocation").click()
    expect(page.locator(".flash")).to_contain_text("Recorded: not a revocation.")
    expect(page.locator(".review-marker")).to_have_count(0)
    expect(page.locator(".event").last).to_contain_text(
        "Reviewed by manager@acme.test: not a revocation"
    )
    decided = ConsentEvent.objects.get(contact__phone=CONTACT)
    assert (decided.kind, decided.actor, decided.reason) == (
        "not_a_revocation",
        world.manager_user,
        "Reviewed: Annoyed by the delivery delay, not a stop",
    )
    assert not blocked(world, NUMBER_A)

    # 2. From the Reviews tab: the other text, opted out with a reason.
    page.get_by_role("link", name="Settings → Compliance Center").click()
    page.get_by_role("link", name="Reviews").click()
    row = page.locator("tr", has_text="why do you keep texting me")
    expect(row).to_contain_text("Grace Hopper")
    page.screenshot(path=str(screenshot_dir / "reviews-tab.png"), full_page=True)
    row.get_by_role("button", name="Opt out").click()
    assert row.locator("input[name=reason]").evaluate("e => !e.validity.valid")
    row.locator("input[name=reason]").fill("Asked us to stop, in other words")
    row.get_by_role("button", name="Opt out").click()
    expect(page.locator(".flash")).to_contain_text(
        "Grace Hopper: opted out and confirmed to the contact."
    )
    decided_row = page.locator("tr", has_text="why do you keep texting me")
    expect(decided_row).to_contain_text("Opted out — Asked us to stop, in other words")
    expect(decided_row).to_contain_text("manager@acme.test")
    assert blocked(world, NUMBER_B, contact=GRACE)
    confirmation = Message.objects.get(
        conversation__contact__phone=GRACE, source=MessageSource.SYSTEM
    )
    assert "unsubscribed" in confirmation.body
    page.screenshot(path=str(screenshot_dir / "reviews-tab-decided.png"), full_page=True)

    # 3. The ledger, on the contact's page: who decided, and why.
    decided_row.get_by_role("link", name="Grace Hopper").click()
    history = page.locator("table.history-table tbody tr")
    expect(history).to_have_count(1)
    expect(history.first).to_contain_text("Opted out")
    expect(history.first).to_contain_text("Revocation")
    expect(history.first).to_contain_text("Reviewed: Asked us to stop, in other words")
    expect(history.first.locator('td[data-label="By"]')).to_have_text("manager@acme.test")
    watch.check("the reviews")
