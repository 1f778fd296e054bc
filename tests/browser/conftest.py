"""Browser tests: real Chromium (system package) against Django's live_server."""

import os
import shutil
from pathlib import Path

import pytest

from tests.support.services import skip_or_fail

pytestmark = pytest.mark.browser

# live_server + Playwright's sync API run Django ORM calls from an event-loop thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        skip_or_fail("browser test needs Chromium (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture
def screenshot_dir(request, pytestconfig) -> Path:
    """Where browser tests save screenshots: <output>/screenshots (pytest-playwright's --output)."""
    out = Path(pytestconfig.getoption("output", "test-results")) / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    return out


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
