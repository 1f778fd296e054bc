import pytest

pytestmark = pytest.mark.browser


def test_login_lands_on_inbox(page, login, world, screenshot_dir):
    login(page, "admin@acme.test", "pw-admin-1")
    assert page.locator("h1").inner_text() == "Inbox"
    assert page.get_by_role("link", name="Settings → Compliance Center").is_visible()
    page.screenshot(path=str(screenshot_dir / "smoke-inbox.png"))
