"""The Compliance Center's Audit log tab shows the changes made in Settings with readable labels,
beside the compliance settings' own, and never a secret."""

import pytest

from optout import services as consent
from tests.support.settings_pages import words
from workspaces import accounts, services
from workspaces.models import ApiToken, AuditLogEntry, Membership


@pytest.fixture
def as_admin(client, world):
    client.force_login(world.admin_user)
    return client


def test_settings_changes_read_as_sentences(as_admin, world):
    admin, ws = world.admin_user, world.workspace
    services.workspace_update(workspace=ws, actor=admin, name="Acme Dental")
    services.phone_number_add(workspace=ws, number="+14155550177", label="VIP", actor=admin)
    services.twilio_credentials_set(
        workspace=ws,
        account_sid="AC" + "1" * 32,
        auth_token="f" * 32,
        actor=admin,
    )
    accounts.invitation_create(
        workspace=ws, email="new@acme.test", role="manager", invited_by=admin
    )
    services.member_role_change(
        membership=Membership.objects.get(user=world.agent_user), role="manager", actor=admin
    )
    services.api_token_revoke(token=ApiToken.objects.get(workspace=ws), actor=admin)
    consent.webhook_endpoint_create(workspace=ws, url="https://crm.example.com/hook", actor=admin)
    page = words(as_admin.get("/compliance/audit-log/"))
    for sentence in (
        "Changed the workspace Workspace name Acme Acme Dental",
        "Added a phone number (415) 555-0177 — VIP",
        "Changed the Twilio credentials Twilio Auth Token — changed",
        "Invited a member new@acme.test — Manager",
        "Changed a member's role agent@acme.test Agent Manager",
        "Revoked an API token default (",
        "Added a CRM endpoint https://crm.example.com/hook — Enabled",
    ):
        assert sentence in page, sentence
    assert "f" * 32 not in page
    assert "in the Compliance Center and in Settings" in page


def test_an_api_client_adding_a_number_is_audited_as_the_api(api, world):
    assert api.post("/api/v1/phone-numbers", {"number": "+14155550178"}).status_code == 201
    entry = AuditLogEntry.objects.get(action="number_added")
    assert (entry.actor, entry.via, entry.field) == (None, "api", "+14155550178")


def test_set_up_code_is_not_audited(world):
    """Fixtures, the demo seed and create_workspace make workspaces without an actor."""
    assert not AuditLogEntry.objects.exists()


def test_long_emails_and_urls_are_audited_whole(world):
    email = "a" * 64 + "@" + ("b" * 60 + ".") * 3 + "test"  # 252 characters
    url = "https://crm.example.com/" + "p" * 470
    accounts.invitation_create(
        workspace=world.workspace, email=email, role="agent", invited_by=world.admin_user
    )
    consent.webhook_endpoint_create(workspace=world.workspace, url=url, actor=world.admin_user)
    fields = set(AuditLogEntry.objects.values_list("field", flat=True))
    assert {email, url} <= fields
