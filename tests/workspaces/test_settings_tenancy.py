"""Another workspace's members, invitations, API tokens, numbers, CRM endpoints and deliveries
answer 404 on every Settings route, and stay as they were."""

import pytest

from optout import services as consent
from optout.models import WebhookDelivery, WebhookEndpoint
from tests.support.settings_pages import text
from workspaces import accounts
from workspaces.models import ApiToken, Invitation, Membership, PhoneNumber


@pytest.fixture
def theirs(other_world):
    ws = other_world.workspace
    endpoint = consent.webhook_endpoint_create(workspace=ws, url="https://crm.other.test/h")
    return {
        "membership": Membership.objects.get(workspace=ws),
        "invitation": accounts.invitation_create(
            workspace=ws, email="invitee@other.test", role="agent"
        ).invitation,
        "token": ApiToken.objects.get(workspace=ws),
        "number": other_world.phone_number,
        "endpoint": endpoint,
        "delivery": WebhookDelivery.objects.create(endpoint=endpoint, kind="test", status="failed"),
    }


@pytest.fixture
def as_admin(client, world):
    client.force_login(world.admin_user)
    return client


def test_another_workspaces_ids_answer_404_and_change_nothing(as_admin, theirs):
    posts = {
        f"/settings/members/{theirs['membership'].pk}/role/": {
            f"m{theirs['membership'].pk}-role": "agent"
        },
        f"/settings/members/{theirs['membership'].pk}/remove/": {},
        f"/settings/invitations/{theirs['invitation'].pk}/resend/": {},
        f"/settings/invitations/{theirs['invitation'].pk}/revoke/": {},
        f"/settings/api-tokens/{theirs['token'].pk}/revoke/": {},
        f"/settings/numbers/{theirs['number'].pk}/label/": {"label": "Mine now"},
        f"/settings/numbers/{theirs['number'].pk}/remove/": {},
        f"/settings/webhooks/{theirs['endpoint'].pk}/toggle/": {},
        f"/settings/webhooks/{theirs['endpoint'].pk}/test/": {},
        f"/settings/webhooks/{theirs['endpoint'].pk}/remove/": {},
        f"/settings/webhooks/deliveries/{theirs['delivery'].pk}/resend/": {},
    }
    for url, data in posts.items():
        assert as_admin.post(url, data).status_code == 404, url
    for url in (
        f"/settings/numbers/{theirs['number'].pk}/",
        f"/settings/webhooks/{theirs['endpoint'].pk}/",
    ):
        assert as_admin.get(url).status_code == 404, url
    assert Membership.objects.get(pk=theirs["membership"].pk).role == "admin"
    invitation = Invitation.objects.get(pk=theirs["invitation"].pk)
    assert (
        invitation.revoked_at is None and invitation.token_hash == theirs["invitation"].token_hash
    )
    assert ApiToken.objects.get(pk=theirs["token"].pk).revoked_at is None
    assert PhoneNumber.objects.get(pk=theirs["number"].pk).label == ""
    endpoint = WebhookEndpoint.objects.get(pk=theirs["endpoint"].pk)
    assert endpoint.is_active and endpoint.deliveries.count() == 1
    assert WebhookDelivery.objects.get(pk=theirs["delivery"].pk).status == "failed"


def test_no_settings_page_lists_another_workspaces_rows(as_admin, theirs):
    for path in (
        "/settings/",
        "/settings/numbers/",
        "/settings/members/",
        "/settings/api-tokens/",
        "/settings/webhooks/",
        "/compliance/audit-log/",
    ):
        page = text(as_admin.get(path))
        for sign in (
            "x@other.test",
            "invitee@other.test",
            "crm.other.test",
            theirs["token"].prefix,
        ):
            assert sign not in page, (path, sign)
