"""The Compliance Center's Audit log tab in real Chromium: a change made on a page, with its old
and new values."""

import pytest
from playwright.sync_api import expect

from tests.support.compliance_browser import DESKTOP

pytestmark = pytest.mark.browser


def test_audit_log_records_scope_change_from_the_page(page, live_server, login, world):
    page.set_viewport_size(DESKTOP)
    login(page, "admin@acme.test", "pw-admin-1")
    page.goto(f"{live_server.url}/compliance/opt-out/")
    page.uncheck("#id_opt_out_confirmation_enabled")
    page.get_by_role("button", name="Save confirmation").click()
    expect(page.locator("#confirmation [data-saved]")).to_contain_text("saved")
    page.goto(f"{live_server.url}/compliance/audit-log/")
    row = page.locator('tr[data-field="opt_out_confirmation_enabled"]')
    expect(row).to_contain_text("admin@acme.test")
    expect(row.locator(".old")).to_have_text("On")
    expect(row.locator(".new")).to_have_text("Off")
