"""Browser tests: real Chromium (system package) against Django's live_server."""

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def login(live_server):
    """Logs `page` in as `email` and lands on the home page."""

    def _login(page, email: str, password: str):
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", email)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login/" not in url)
        return page

    return _login


@pytest.fixture
def public_base_url(settings, live_server):
    """Webhook signatures are computed over PUBLIC_BASE_URL: point it at the live server."""
    settings.PUBLIC_BASE_URL = live_server.url
    return live_server.url
