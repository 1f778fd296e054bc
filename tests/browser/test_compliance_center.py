"""The Compliance Center in real Chromium, every tab at once: an agent reaches none of them, and
each fits the screen, with a screenshot of each tab at 1280 px and at 390 px. Each tab's own
use is in test_compliance_<tab>.py."""

import pytest
from playwright.sync_api import expect

from optout import services
from tests.support.compliance_browser import DESKTOP, MOBILE, seed_history

pytestmark = pytest.mark.browser

TABS = {
    "overview": "/compliance/",
    "opt-out": "/compliance/opt-out/",
    "keywords": "/compliance/keywords/",
    "block-list": "/compliance/block-list/",
    "audit-log": "/compliance/audit-log/",
}


def fits_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


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
