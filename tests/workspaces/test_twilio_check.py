"""Settings → Twilio → "Check connection", against the loopback fake Twilio through the real SDK
(TWILIO_API_BASE_URL): good credentials, a wrong token (20003), an unreachable Twilio, numbers
missing from the account or pointed elsewhere; what it says, in plain words."""

import socket

import pytest

from tests.support.settings_pages import words
from tests.support.world import ACCOUNT_SID, AUTH_TOKEN, NUMBER_A, NUMBER_B
from workspaces import services
from workspaces.models import AuditLogEntry
from workspaces.twilio_check import twilio_connection_check, webhook_urls


@pytest.fixture
def as_admin(client, world):
    client.force_login(world.admin_user)
    return client


def check(client):
    response = client.post("/settings/twilio/check/")
    assert response.status_code == 302
    return words(client.get(response["Location"]))


def test_good_credentials_connect(as_admin, world, fake_twilio, settings):
    fake_twilio.add_account(
        ACCOUNT_SID,
        AUTH_TOKEN,
        numbers=[NUMBER_A, NUMBER_B, "+14155550999"],
        sms_url=webhook_urls()["sms"],
        friendly_name="Acme Dental",
    )
    result = twilio_connection_check(world.workspace)
    assert (result.ok, result.account_name, result.numbers_on_account) == (True, "Acme Dental", 3)
    assert result.problems == [] and result.warnings == []
    page = check(as_admin)
    assert "Connected to Acme Dental. Twilio accepted the credentials" in page
    assert "every number of this workspace is on the account (3 numbers there)" in page
    entry = AuditLogEntry.objects.get(action="twilio_checked")
    assert entry.new_value == "Connected to Acme Dental"
    assert "Connected" not in words(as_admin.get("/settings/twilio/"))  # the result is shown once


def test_a_wrong_token_is_authentication_failed_20003(as_admin, world, fake_twilio):
    fake_twilio.add_account(ACCOUNT_SID, "the-real-token", numbers=[NUMBER_A, NUMBER_B])
    result = twilio_connection_check(world.workspace)
    assert not result.ok
    [problem] = result.problems
    assert problem.startswith("Twilio refused these credentials (error 20003, authentication")
    page = check(as_admin)
    assert "Not connected." in page and "error 20003, authentication failed" in page


def test_an_unreachable_twilio_says_the_network_is_unreachable(as_admin, world, settings):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.TWILIO_API_BASE_URL = f"http://127.0.0.1:{port}"
    result = twilio_connection_check(world.workspace)
    assert not result.ok
    assert result.problems == [
        f"Could not reach Twilio at http://127.0.0.1:{port} (network unreachable). Check this "
        "server's internet access, then try again."
    ]
    assert "Could not reach Twilio" in check(as_admin)


def test_numbers_not_on_the_account_or_pointed_elsewhere_are_named(world, fake_twilio):
    fake_twilio.add_account(
        ACCOUNT_SID, AUTH_TOKEN, numbers=[NUMBER_A], sms_url="https://old-provider.example/sms"
    )
    result = twilio_connection_check(world.workspace)
    assert not result.ok
    assert result.problems == [
        "Not on this Twilio account: +1 415-555-0101. Texts to them cannot be received nor sent "
        "with these credentials: add them to the account in Twilio, or remove them here."
    ]
    [warning] = result.warnings
    assert warning.startswith("+1 415-555-0100: “A message comes in” points at https://old-prov")
    assert webhook_urls()["sms"] in warning


def test_the_sid_format_and_unset_credentials_are_said_before_calling(world, fake_twilio):
    fresh = services.workspace_create(name="Fresh")
    assert twilio_connection_check(fresh).problems == [
        "Enter your Account SID and Auth Token first, then check them."
    ]
    world.workspace.twilio_account_sid = "AC-not-a-sid"
    assert "not in Twilio's format" in twilio_connection_check(world.workspace).problems[0]
    assert fake_twilio.requests == []


def test_managers_may_check_but_not_change(client, world, fake_twilio):
    fake_twilio.add_account(ACCOUNT_SID, AUTH_TOKEN, numbers=[NUMBER_A, NUMBER_B])
    client.force_login(world.manager_user)
    page = check(client)
    assert "Connected" in page and "Save credentials" not in page
    assert client.post("/settings/twilio/", {"account_sid": ACCOUNT_SID}).status_code == 403
