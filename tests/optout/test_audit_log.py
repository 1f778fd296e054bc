"""The Compliance Center's Audit log tab: who changed what, from what to what, and how."""

import pytest

from optout import services
from tests.support.pages import text

pytestmark = pytest.mark.django_db


def test_audit_log_shows_who_changed_what_from_what_to_what(as_admin, world):
    services.compliance_settings_update(
        workspace=world.workspace,
        actor=world.manager_user,
        via="web",
        opt_out_scope="phone_number",
    )
    services.compliance_settings_update(
        workspace=world.workspace, via="api", signature_mode="every_message"
    )
    page = text(as_admin.get("/compliance/audit-log/"))
    assert "manager@acme.test" in page and "Opt-out scope" in page
    assert "Inbox Opt-Out (carrier-preferred)" in page and "Phone Number Opt-Out" in page
    assert "API token" in page and "Apply to all sent messages (carrier-preferred)" in page
