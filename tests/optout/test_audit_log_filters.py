"""The audit log filters by who, what and when, exports what it shows as CSV (cells
neutralised), and cuts long values (the rest one click away)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from optout import services
from tests.support.pages import csv_rows, text
from workspaces import services as workspace_services
from workspaces.models import AuditLogEntry, Contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(world):
    """Three changes: the manager's scope change last week, the admin's rename today, an API
    client's signature change today (a formula in its value)."""
    services.compliance_settings_update(
        workspace=world.workspace, actor=world.manager_user, opt_out_scope="phone_number"
    )
    AuditLogEntry.objects.filter(action="setting_changed").update(
        created_at=timezone.now() - timedelta(days=8)
    )
    contact = Contact.objects.create(workspace=world.workspace, phone="+14155550123")
    workspace_services.contact_rename(contact=contact, name="Ada", actor=world.admin_user)
    services.compliance_settings_update(
        workspace=world.workspace, via="api", signature_text='=HYPERLINK("x") Reply STOP'
    )


def shown(client, **params):
    page = client.get("/compliance/audit-log/", params).content.decode()
    return sorted(set(__import__("re").findall(r'data-action="(\w+)" data-field="([^"]*)"', page)))


def test_filters_by_who_what_and_when(as_admin, world, log):
    assert len(shown(as_admin)) == 3
    assert shown(as_admin, who=world.admin_user.pk) == [("contact_renamed", "+14155550123")]
    assert shown(as_admin, who="api") == [("setting_changed", "signature_text")]
    assert shown(as_admin, action="setting_changed") == [
        ("setting_changed", "opt_out_scope"),
        ("setting_changed", "signature_text"),
    ]
    today = timezone.localdate()
    assert len(shown(as_admin, since=today.isoformat())) == 2
    assert shown(as_admin, until=(today - timedelta(days=7)).isoformat()) == [
        ("setting_changed", "opt_out_scope")
    ]
    page = text(as_admin.get("/compliance/audit-log/", {"who": world.agent_user.pk}))
    assert "Nobody by that id changed anything here." in page  # not in this log: no option
    assert "No change matches these filters." in text(
        as_admin.get("/compliance/audit-log/", {"who": "api", "action": "contact_renamed"})
    )
    options = as_admin.get("/compliance/audit-log/").content.decode()
    assert "manager@acme.test</option>" in options and "API token</option>" in options
    assert "Renamed a contact</option>" in options


def test_an_end_before_the_start_is_refused_at_the_field(as_admin, log):
    page = text(
        as_admin.get("/compliance/audit-log/", {"since": "2026-05-02", "until": "2026-05-01"})
    )
    assert "The end comes before the start." in page


def test_the_csv_exports_what_the_filters_show_neutralised(as_admin, world, log):
    everything = csv_rows(as_admin.get("/compliance/audit-log.csv"))
    assert everything[0] == [
        "when",
        "who",
        "via",
        "action",
        "what",
        "setting_or_item",
        "from",
        "to",
    ]
    assert len(everything) == 4
    rows = csv_rows(as_admin.get("/compliance/audit-log.csv", {"who": "api"}))
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["who"] == "API token" and row["via"] == "api"
    assert row["to"] == '\'=HYPERLINK("x") Reply STOP'  # neutralised
    assert row["when"].endswith("+00:00")  # the workspace's zone (UTC here), with its offset
    page = as_admin.get("/compliance/audit-log/", {"who": "api"}).content.decode()
    assert 'href="/compliance/audit-log.csv?who=api"' in page


def test_long_values_are_cut_with_the_rest_one_click_away(as_admin, world):
    long_text = "You have been unsubscribed. " * 10 + "Reply START to opt back in."
    services.compliance_settings_update(
        workspace=world.workspace, actor=world.admin_user, opt_out_confirmation_text=long_text
    )
    page = as_admin.get("/compliance/audit-log/").content.decode()
    assert '<details class="long-value">' in page
    assert long_text in page  # whole, inside the <details>
