"""Every page with a workspace full of data, as a new user sees it: no horizontal overflow at
390 px, a screenshot at 1280 and 390 px each (test-results/screenshots/page-*.png), nothing the
Content-Security-Policy refuses, nothing fetched off this machine. Logged in as the demo's
Admin, who sees every page."""

import pytest
from playwright.sync_api import expect

from optout.models import WebhookEndpoint
from tests.support.browser_pages import MOBILE, Watch, look_at
from tests.support.demo_data import (
    ADA,
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    GRACE,
    MARGARET,
    PENDING,
    SUPPORT,
    full_demo,
)

pytestmark = pytest.mark.browser

PAGES = {
    "inbox": lambda d: "/inbox/",
    "thread": lambda d: f"/inbox/c/{d.conversation(ADA).pk}/",
    "thread-opted-out": lambda d: f"/inbox/c/{d.conversation(GRACE).pk}/",
    "thread-review": lambda d: f"/inbox/c/{d.conversation(MARGARET, SUPPORT).pk}/",
    "new-conversation": lambda d: "/inbox/new/",
    "simulator": lambda d: "/simulator/",
    "settings-general": lambda d: "/settings/",
    "settings-numbers": lambda d: "/settings/numbers/",
    "settings-number": lambda d: f"/settings/numbers/{d.sales.pk}/",
    "settings-twilio": lambda d: "/settings/twilio/",
    "settings-members": lambda d: "/settings/members/",
    "settings-api-tokens": lambda d: "/settings/api-tokens/",
    "settings-crm-webhooks": lambda d: "/settings/webhooks/",
    "settings-crm-webhook": lambda d: (
        f"/settings/webhooks/{WebhookEndpoint.objects.get(workspace=d.workspace).pk}/"
    ),
    "compliance-overview": lambda d: "/compliance/",
    "compliance-opt-out": lambda d: "/compliance/opt-out/",
    "compliance-keywords": lambda d: "/compliance/keywords/",
    "compliance-block-list": lambda d: "/compliance/block-list/",
    "compliance-contact-opted-out": lambda d: f"/compliance/contacts/{d.contact(GRACE).pk}/",
    "compliance-contact-pending": lambda d: f"/compliance/contacts/{d.contact(PENDING).pk}/",
    "compliance-audit-log": lambda d: "/compliance/audit-log/",
    "compliance-reviews": lambda d: "/compliance/reviews/",
    "compliance-dead-letters": lambda d: "/compliance/dead-letters/",
}


@pytest.fixture
def demo(transactional_db, settings):
    settings.CRM_ALLOW_PRIVATE_URLS = True
    return full_demo()


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_fits_a_phone_with_full_data(
    name, page, live_server, login, demo, screenshot_dir
):
    watch = Watch(page)
    login(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    response = page.goto(f"{live_server.url}{PAGES[name](demo)}")
    assert response.status == 200, (name, response.status)
    page.wait_for_load_state("load")
    look_at(page, f"page-{name}", screenshot_dir, watch)


def test_the_top_bar_is_a_menu_on_phones(page, live_server, login, demo, screenshot_dir):
    watch = Watch(page)
    login(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.set_viewport_size(MOBILE)
    page.goto(f"{live_server.url}/compliance/")
    bar = page.locator("header.topbar")
    assert bar.bounding_box()["height"] < 70  # a line, not a fifth of the screen
    expect(page.get_by_role("link", name="Inbox", exact=True)).to_be_hidden()
    page.locator(".topmenu summary").click()
    expect(page.get_by_role("link", name="Inbox", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "page-menu-open-390.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]
    page.get_by_role("link", name="Inbox", exact=True).click()
    page.wait_for_url(f"{live_server.url}/inbox/")
    # The inbox list at 390 px: previews cut with an ellipsis, badges and the button in view.
    expect(page.get_by_role("link", name="New conversation")).to_be_in_viewport()
    badge = page.locator(".conv .badge.danger", has_text="Opted out").first
    expect(badge).to_be_in_viewport()
    assert badge.bounding_box()["x"] + badge.bounding_box()["width"] <= MOBILE["width"]
    preview = page.locator(".conv-last").first
    assert preview.evaluate("e => e.scrollWidth > e.clientWidth")  # cut, not overflowing
    assert preview.evaluate("e => getComputedStyle(e).textOverflow") == "ellipsis"
    watch.check("the menu")


EMPTY_PAGES = [
    "/inbox/",
    "/inbox/new/",
    "/simulator/",
    "/settings/",
    "/settings/numbers/",
    "/settings/twilio/",
    "/settings/members/",
    "/settings/api-tokens/",
    "/settings/webhooks/",
    "/compliance/",
    "/compliance/opt-out/",
    "/compliance/keywords/",
    "/compliance/block-list/",
    "/compliance/audit-log/",
    "/compliance/reviews/",
    "/compliance/dead-letters/",
]


def test_every_page_fits_a_phone_when_the_workspace_is_new(
    page, live_server, login, db, screenshot_dir
):
    """A workspace just signed up for: no number, no contact, nothing in any list."""
    from workspaces import accounts

    accounts.account_signup(
        email="new@example.com",
        password="a long enough password 1",
        workspace_name="Brand New",
        time_zone="Europe/Paris",
    )
    watch = Watch(page)
    login(page, "new@example.com", "a long enough password 1")
    for path in EMPTY_PAGES:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, (path, response.status)
        name = path.strip("/").replace("/", "-") or "home"
        look_at(page, f"empty-{name}", screenshot_dir, watch)
