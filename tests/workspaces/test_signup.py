"""Sign-up from the login page: a user and their workspace, of which they are the Admin, logged in
and sent to Settings to finish setting up; bad input said at the field."""

import pytest

from tests.support.settings_pages import field_errors, text
from workspaces.models import AuditLogEntry, Membership, Workspace

GOOD = {
    "email": "Owner@NewCo.test",
    "password": "a-long-enough-passphrase",
    "password2": "a-long-enough-passphrase",
    "workspace_name": "  Newco   Dental ",
    "time_zone": "America/Chicago",
}


def test_the_login_page_offers_sign_up_and_password_reset(client, db):
    page = text(client.get("/login/"))
    assert 'href="/signup/"' in page and "Create an account" in page
    assert 'href="/password-reset/"' in page and "Forgot your password?" in page


def test_sign_up_makes_the_admin_of_a_new_workspace_and_logs_them_in(client, db):
    response = client.post("/signup/", GOOD)
    assert response.status_code == 302 and response["Location"] == "/settings/"
    membership = Membership.objects.select_related("workspace", "user").get()
    assert (membership.user.email, membership.role) == ("owner@newco.test", "admin")
    assert (membership.workspace.name, membership.workspace.time_zone) == (
        "Newco Dental",
        "America/Chicago",
    )
    assert membership.user.check_password(GOOD["password"])
    # Webhooks fail closed until the real Twilio credentials are set.
    assert membership.workspace.twilio_credentials_changed_at is None
    page = text(client.get("/settings/"))
    assert "Finish setting up" in page and "Welcome! Newco Dental is ready" in page
    entry = AuditLogEntry.objects.get()
    assert (entry.action, entry.actor, entry.new_value) == (
        "workspace_created",
        membership.user,
        "Newco Dental",
    )


def test_without_the_browsers_time_zone_the_workspace_shows_utc(client, db):
    client.post("/signup/", {**GOOD, "time_zone": "Mars/Olympus_Mons"})
    assert Workspace.objects.get().time_zone == "UTC"


@pytest.mark.parametrize(
    "change, field, error",
    [
        ({"email": ""}, "email", "Type an email address."),
        ({"email": "owner@"}, "email", "Type a whole email address"),
        ({"password": "", "password2": ""}, "password", "Choose a password."),
        ({"password": "password", "password2": "password"}, "password", "too common"),
        ({"password": "x7!", "password2": "x7!"}, "password", "too short"),
        ({"password2": "something-else-entirely"}, "password2", "The two passwords differ"),
        ({"workspace_name": ""}, "workspace_name", "Name your workspace"),
    ],
)
def test_bad_input_is_said_at_the_field(client, db, change, field, error):
    response = client.post("/signup/", {**GOOD, **change})
    assert response.status_code == 200
    assert error in field_errors(response, field)
    assert not Workspace.objects.exists()


def test_an_email_that_has_an_account_is_refused_at_the_field(client, world):
    response = client.post("/signup/", {**GOOD, "email": "ADMIN@acme.test"})
    assert "An account with this email already exists" in field_errors(response, "email")
    assert Workspace.objects.count() == 1


def test_a_logged_in_user_is_sent_home(client, world):
    client.force_login(world.admin_user)
    assert client.get("/signup/")["Location"] == "/"


def test_sign_up_can_be_closed(client, db, settings):
    settings.SIGNUP_ENABLED = False
    assert client.get("/signup/").status_code == 404
    assert "Create an account" not in text(client.get("/login/"))
