"""The composer knows before Send, in real Chromium: the recipient's quiet hours as a state, an
opted-out number flagged while it is typed in New conversation, live warnings, a draft kept
(disabled) when a STOP arrives and given back by a START, the consent state in the thread
header, live."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from messaging.models import Conversation
from messaging.services.outbound import message_send
from optout.services import compliance_settings_update
from tests.support.browser_pages import MOBILE, Watch
from tests.support.compliance_browser import DESKTOP, processed, text_in_over_http
from tests.support.waiting import wait_for
from tests.support.world import CONTACT, NUMBER_A
from workspaces.models import Contact

pytestmark = pytest.mark.browser

LIVE = 12_000  # ms: the thread polls every 2 s
NEW_YORK = "+12125550123"


def thread_of(phone: str = CONTACT) -> Conversation:
    return Conversation.objects.get(contact__phone=phone, phone_number__number=NUMBER_A)


def text_in(page, base, body, **kwargs):
    sid = text_in_over_http(page.context.new_page(), base, body, **kwargs)
    wait_for(lambda: processed(sid), message=f"{body!r} processed")


def test_quiet_hours_are_a_composer_state(page, live_server, login, world, screenshot_dir):
    watch = Watch(page)
    message_send(workspace=world.workspace, from_number=NUMBER_A, to=NEW_YORK, body="Hello")
    # Quiet hours around New York's time now: closed there for another hour.
    now = datetime.now(ZoneInfo("America/New_York")).replace(second=0, microsecond=0)
    start, end = (now - timedelta(hours=1)).time(), (now + timedelta(hours=1)).time()
    compliance_settings_update(
        workspace=world.workspace,
        quiet_hours_enabled=True,
        quiet_hours_start=start,
        quiet_hours_end=end,
    )
    page.set_viewport_size(DESKTOP)
    login(page, "agent@acme.test", "pw-agent-1")
    expected = f"Quiet hours in America/New_York until {end:%H:%M}"

    page.goto(f"{live_server.url}/inbox/c/{thread_of(NEW_YORK).pk}/")
    state = page.locator('#composer-counter [data-state="quiet_hours"]')
    expect(state).to_contain_text(expected)
    expect(state).to_contain_text("sends are refused; API sends can be held")
    page.locator("#composer").screenshot(path=str(screenshot_dir / "composer-quiet-hours.png"))

    # New conversation: the state appears as soon as the number is whole.
    page.goto(f"{live_server.url}/inbox/new/")
    page.locator("#id_to").press_sequentially("212 555 0123", delay=20)
    expect(page.locator('#new-counter [data-state="quiet_hours"]')).to_contain_text(expected)
    page.fill("#id_body", "Your order is ready")
    page.click(".new-form button[type=submit]")
    expect(page.locator("#to-errors")).to_contain_text("sending window")
    watch.check("the composer in quiet hours")


def test_an_opted_out_number_is_flagged_while_it_is_typed(
    page, live_server, public_base_url, login, world, screenshot_dir
):
    base = live_server.url
    Contact.objects.create(workspace=world.workspace, phone=CONTACT, name="Ada Lovelace")
    text_in(page, base, "STOP")
    page.set_viewport_size(DESKTOP)
    login(page, "agent@acme.test", "pw-agent-1")
    page.goto(f"{base}/inbox/new/")
    flag = page.locator("#recipient-state")
    page.locator("#id_to").press_sequentially("415 555 01", delay=20)
    expect(flag).to_contain_text("Not a whole phone number yet")
    page.locator("#id_to").press_sequentially("23", delay=20)
    blocked = flag.locator('[data-recipient="opted_out"]')
    expect(blocked).to_contain_text("(415) 555-0123 opted out (keyword)")
    expect(flag).to_contain_text("open it")  # their conversation
    page.screenshot(path=str(screenshot_dir / "new-conversation-opted-out.png"))
    page.set_viewport_size(MOBILE)
    page.screenshot(path=str(screenshot_dir / "new-conversation-opted-out-390.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    page.fill("#id_to", "")
    page.locator("#id_to").press_sequentially("(415) 555-0177", delay=20)
    expect(flag.locator('[data-recipient="unknown"]')).to_contain_text("No consent on record")
    expect(blocked).to_have_count(0)


def test_warnings_show_while_typing(page, live_server, public_base_url, login, world):
    base = live_server.url
    text_in(page, base, "Hi, is the sale still on?")
    page.set_viewport_size(DESKTOP)
    login(page, "agent@acme.test", "pw-agent-1")
    page.goto(f"{base}/inbox/c/{thread_of().pk}/")
    counter = page.locator("#composer-counter")
    expect(counter.locator(".counter-line")).to_have_count(0)  # nothing typed: no count
    page.locator("#composer-body").press_sequentially(
        "HUGE SALE TODAY ONLY!!! bit.ly/deal", delay=5
    )
    for code in ("url_shortener", "all_caps", "excessive_punctuation", "number_unregistered"):
        expect(counter.locator(f'[data-warning="{code}"]')).to_be_visible()
    page.fill("#composer-body", "Free beer for everyone tonight")
    expect(counter.locator('[data-state="content_blocked"]')).to_contain_text("Will be refused")
    page.locator("#composer").screenshot(path="test-results/screenshots/composer-warnings.png")


def test_a_stop_keeps_the_draft_disabled_and_a_start_gives_it_back(
    page, live_server, public_base_url, login, world, screenshot_dir
):
    base = live_server.url
    text_in(page, base, "Hello")
    page.set_viewport_size(DESKTOP)
    login(page, "agent@acme.test", "pw-agent-1")
    page.goto(f"{base}/inbox/c/{thread_of().pk}/")
    draft = "See you at five, and bring the receipt please"
    page.fill("#composer-body", draft)
    page.evaluate("window.__sameDocument = true")

    text_in(page, base, "STOP")
    composer = page.locator("#composer-body")
    expect(composer).to_be_disabled(timeout=LIVE)
    expect(composer).to_have_value(draft)
    expect(page.locator("[data-draft-kept]")).to_be_visible()
    expect(page.locator("#composer button[type=submit]")).to_be_disabled()
    expect(page.locator("#consent-state")).to_contain_text("Opted out")
    page.locator(".thread").screenshot(path=str(screenshot_dir / "composer-draft-kept.png"))

    text_in(page, base, "START")
    expect(composer).to_be_enabled(timeout=LIVE)
    expect(composer).to_have_value(draft)
    expect(page.locator("#composer-counter .counter-line")).to_be_visible()
    assert page.evaluate("window.__sameDocument") is True  # all of it without a reload


def test_the_thread_header_shows_consent_and_follows_it_live(
    page, live_server, public_base_url, login, world, screenshot_dir
):
    base = live_server.url
    Contact.objects.create(workspace=world.workspace, phone=CONTACT, name="Ada Lovelace")
    text_in(page, base, "Hello")
    page.set_viewport_size(DESKTOP)
    login(page, "admin@acme.test", "pw-admin-1")
    thread = f"{base}/inbox/c/{thread_of().pk}/"
    page.goto(thread)
    state = page.locator("#consent-state")
    expect(state).to_contain_text("No consent on record · texted you first")

    # Consent recorded on the contact's page, which the thread links to.
    page.get_by_role("link", name="Consent history").click()
    expect(page.locator("h2#contact-title")).to_contain_text("Ada Lovelace")
    page.select_option("#id_source", "verbal")
    page.fill("#id_evidence", "Said yes to order texts on the phone with Sam")
    page.get_by_role("button", name="Record consent").click()
    expect(page.locator('#record-consent [data-saved="record-consent"]')).to_contain_text(
        "they are opted in"
    )
    page.goto(thread)
    expect(state.locator(".badge")).to_have_text("Opted in")
    page.evaluate("window.__sameDocument = true")
    text_in(page, base, "STOP")
    expect(state.locator(".badge")).to_have_text("Opted out", timeout=LIVE)
    assert page.evaluate("window.__sameDocument") is True
    page.locator(".thread-head").screenshot(path=str(screenshot_dir / "thread-consent-state.png"))
    # What the STOP caused reads before the reply it got.
    items = page.locator(".thread-messages > li")
    texts = [re.sub(r"\s+", " ", t) for t in items.all_inner_texts()]
    stop = next(i for i, t in enumerate(texts) if t.startswith("STOP"))
    assert "opted out" in texts[stop + 1] and "unsubscribed" in texts[stop + 2]
