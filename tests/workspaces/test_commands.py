"""The create_workspace management command."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from optout.models import ComplianceSettings
from workspaces.models import ApiToken, Membership, PhoneNumber, Workspace

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_workspace_json(client):
    out = run(
        "create_workspace",
        "--name", "Acme Dental",
        "--admin-email", "Owner@Acme.test",
        "--admin-password", "s3cret-pass",
        "--twilio-account-sid", "AC" + "1" * 32,
        "--twilio-auth-token", "tok",
        "--phone-number", "(415) 555-0142",
        "--json",
    )  # fmt: skip
    data = json.loads(out)
    workspace = Workspace.objects.get(id=data["workspace_id"])
    assert data["workspace"] == workspace.slug == "acme-dental"
    assert workspace.twilio_auth_token == "tok"
    assert ComplianceSettings.objects.filter(workspace=workspace).exists()
    assert Membership.objects.get(workspace=workspace).role == "admin"
    assert PhoneNumber.objects.get(workspace=workspace).number == "+14155550142"
    assert ApiToken.objects.filter(key_hash=ApiToken.hash(data["api_token"])).exists()
    response = client.get(
        "/api/v1/compliance-settings", HTTP_AUTHORIZATION=f"Token {data['api_token']}"
    )
    assert response.status_code == 200
    assert client.login(username="owner@acme.test", password="s3cret-pass")


def test_create_workspace_twice_gets_distinct_slugs():
    first = json.loads(
        run("create_workspace", "--name", "Acme", "--admin-email", "a@a.test", "--json")
    )
    second = json.loads(
        run("create_workspace", "--name", "Acme", "--admin-email", "a@a.test", "--json")
    )
    assert first["workspace"] != second["workspace"]
    assert first["api_token"] != second["api_token"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--name", "X", "--admin-email", "not-an-email"], "--admin-email"),
        (["--name", " ", "--admin-email", "a@a.test"], "--name"),
        (["--name", "X", "--admin-email", "a@a.test", "--twilio-account-sid", "XX1"], "AC"),
        (["--name", "X", "--admin-email", "a@a.test", "--phone-number", "12"], "--phone-number"),
    ],
)
def test_create_workspace_refuses_bad_input_and_creates_nothing(args, message):
    with pytest.raises(CommandError, match=message):
        run("create_workspace", *args)
    assert not Workspace.objects.exists()
