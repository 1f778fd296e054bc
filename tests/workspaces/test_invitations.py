"""Invitations: an Admin invites by email with a role; the one-time link (only its hash stored)
is shown once and emailed; a visitor sets a password and joins, a logged-in user with that email
joins; a link used twice, expired, revoked or replaced says so plainly; wrong email refused."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from compliance_center.errors import DomainError, ErrorCode
from tests.support.settings_pages import emailed_link, field_errors, text, token_of, words
from workspaces import accounts
from workspaces.models import AuditLogEntry, Invitation, Membership

PASSWORD = {"password": "joining-passphrase-1", "password2": "joining-passphrase-1"}


@pytest.fixture
def as_admin(client, world):
    client.force_login(world.admin_user)
    return client


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs `fn` and then what its transactions queued for after commit (the emails), as a real
    commit does; the test's own transaction never commits."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


@pytest.fixture
def invite(committed):
    def _invite(client, email="new@acme.test", role="agent"):
        return committed(client.post, "/settings/members/invite/", {"email": email, "role": role})

    return _invite


def test_an_admin_invites_by_email_and_sees_the_link_once(as_admin, world, settings, invite):
    settings.PUBLIC_BASE_URL = "https://cc.example.com"
    response = invite(as_admin, "New@Acme.test", "manager")
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "new@acme.test",
        "manager",
        world.admin_user,
    )
    assert invitation.expires_at - invitation.created_at > timedelta(days=6, hours=23)
    link = emailed_link("new@acme.test")
    assert link.startswith("https://cc.example.com/invitations/")
    raw = token_of(link)
    assert invitation.token_hash == Invitation.hash(raw) and raw not in invitation.token_hash
    [email] = mail.outbox
    assert email.subject == "Join Acme on Compliance Center" and "as Manager" in email.body
    page = text(as_admin.get("/settings/members/"))
    assert link in page and "Invitation link for new@acme.test" in page
    assert link not in text(as_admin.get("/settings/members/"))  # shown once
    entry = AuditLogEntry.objects.get(action="member_invited")
    assert (entry.field, entry.new_value, entry.actor) == (
        "new@acme.test",
        "manager",
        world.admin_user,
    )


def test_a_visitor_sets_a_password_and_joins_with_the_role(as_admin, client, world, invite):
    invite(as_admin)
    link = emailed_link("new@acme.test")
    client.logout()
    page = text(client.get(link))
    assert "Join Acme" in page and "invited you to join" in page and "Agent" in page
    response = client.post(link, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    membership = Membership.objects.get(user__email="new@acme.test")
    assert membership.role == "agent" and membership.workspace == world.workspace
    assert membership.user.check_password(PASSWORD["password"])
    invitation = Invitation.objects.get()
    assert invitation.accepted_at and invitation.accepted_by == membership.user
    assert client.get("/inbox/").status_code == 200  # logged in, in the workspace
    entry = AuditLogEntry.objects.get(action="member_joined")
    assert (entry.actor, entry.field, entry.new_value) == (
        membership.user,
        "new@acme.test",
        "agent",
    )


def test_a_link_works_once(as_admin, client, invite):
    invite(as_admin)
    link = emailed_link("new@acme.test")
    client.logout()
    client.post(link, PASSWORD)
    client.logout()
    again = client.get(link)
    assert again.status_code == 410
    assert "This invitation has already been used." in text(again)
    assert client.post(link, PASSWORD).status_code == 410
    assert Membership.objects.filter(user__email="new@acme.test").count() == 1


def test_an_expired_link_says_so_and_can_be_sent_again(as_admin, client, world, invite, committed):
    invite(as_admin)
    link = emailed_link("new@acme.test")
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        client.logout()
        response = client.get(link)
        assert response.status_code == 410
        assert "This invitation expired on" in text(response)
        assert "Ask an Admin of the workspace to send it again." in text(response)
        assert client.post(link, PASSWORD).status_code == 410
        assert not Membership.objects.filter(user__email="new@acme.test").exists()
        client.force_login(world.admin_user)
        assert "Expired" in text(client.get("/settings/members/"))
        committed(client.post, f"/settings/invitations/{Invitation.objects.get().pk}/resend/")
        fresh = emailed_link("new@acme.test")
        assert fresh != link
        client.logout()
        assert client.get(link).status_code == 404  # replaced by the new link
        assert client.post(fresh, PASSWORD).status_code == 302
    assert AuditLogEntry.objects.filter(action="invitation_resent").count() == 1


def test_a_revoked_link_says_so(as_admin, client, invite):
    invite(as_admin)
    link = emailed_link("new@acme.test")
    invitation = Invitation.objects.get()
    response = as_admin.post(f"/settings/invitations/{invitation.pk}/revoke/")
    assert response.status_code == 302
    assert "revoked: its link no longer works" in text(as_admin.get("/settings/members/"))
    client.logout()
    page = client.get(link)
    assert page.status_code == 410 and "This invitation was revoked" in text(page)
    entry = AuditLogEntry.objects.get(action="invitation_revoked")
    assert (entry.field, entry.old_value) == ("new@acme.test", "agent")


def test_an_unknown_link_is_not_valid(client, db):
    response = client.get("/invitations/no-such-token/")
    assert response.status_code == 404
    assert "This invitation link is not valid" in text(response)


def test_a_user_logged_in_with_another_email_is_refused(as_admin, client, world, invite):
    invite(as_admin)
    link = emailed_link("new@acme.test")
    client.force_login(world.manager_user)
    response = client.get(link)
    assert response.status_code == 403
    assert "This invitation is for new@acme.test, and you are logged in as manager@acme.test" in (
        words(response)
    )
    assert client.post(link).status_code == 403
    assert Invitation.objects.get().accepted_at is None
    with pytest.raises(DomainError) as refused:
        accounts.invitation_accept(raw_token=token_of(link), user=world.manager_user)
    assert refused.value.code == ErrorCode.INVITATION_WRONG_EMAIL


def test_someone_with_an_account_logs_in_then_joins(as_admin, client, other_world, invite):
    invite(as_admin, "x@other.test", "manager")  # already an Admin of another workspace
    link = emailed_link("x@other.test")
    client.logout()
    page = text(client.get(link))
    assert "already has an account: log in with it to accept" in page
    assert f"/login/?next=/invitations/{token_of(link)}/" in page
    assert client.post(link, PASSWORD).status_code == 200  # no password set this way
    assert not Membership.objects.filter(workspace__name="Acme", user__email="x@other.test")
    client.force_login(other_world.admin_user)
    assert "Join Acme" in text(client.get(link))
    assert client.post(link).status_code == 302
    joined = Membership.objects.get(workspace__name="Acme", user=other_world.admin_user)
    assert joined.role == "manager"
    assert other_world.admin_user.check_password("pw-other-1")  # untouched
    # The switcher now lands them in Acme.
    assert "Acme" in text(client.get("/inbox/"))


@pytest.mark.parametrize(
    "email, error",
    [
        ("agent@acme.test", "agent@acme.test is already a member of this workspace."),
        ("", "Type an email address."),
        ("not-an-email", "Type a whole email address"),
    ],
)
def test_bad_invitations_are_refused_at_the_field(as_admin, world, email, error, invite):
    response = invite(as_admin, email)
    assert response.status_code == 200
    assert error in field_errors(response, "email")
    assert not Invitation.objects.exists() and not mail.outbox


def test_an_open_invitation_is_sent_again_rather_than_doubled(as_admin, invite):
    invite(as_admin)
    response = invite(as_admin, "NEW@acme.test", "manager")
    assert "new@acme.test is already invited: use “Send again”" in field_errors(response, "email")
    assert Invitation.objects.count() == 1


def test_the_invited_password_is_checked_by_the_validators(as_admin, client, invite):
    invite(as_admin)
    link = emailed_link("new@acme.test")
    client.logout()
    response = client.post(link, {"password": "password", "password2": "password"})
    assert "This password is too common." in field_errors(response, "password")
    response = client.post(link, {"password": "joining-passphrase-1", "password2": "other"})
    assert "The two passwords differ" in field_errors(response, "password2")
    assert not get_user_model().objects.filter(email="new@acme.test").exists()


def test_managers_and_agents_cannot_invite(client, world, invite):
    for user in (world.manager_user, world.agent_user):
        client.force_login(user)
        assert invite(client).status_code == 403
    assert not Invitation.objects.exists()


def test_services_say_why_an_invitation_cannot_be_used(world):
    issued = accounts.invitation_create(
        workspace=world.workspace, email="n@acme.test", role="agent"
    )
    raw = token_of(issued.url)
    accounts.invitation_revoke(invitation=issued.invitation, actor=world.admin_user)
    with pytest.raises(DomainError) as revoked:
        accounts.invitation_accept(raw_token=raw, password="joining-passphrase-1")
    assert revoked.value.code == ErrorCode.INVITATION_REVOKED
    with pytest.raises(DomainError) as again:
        accounts.invitation_revoke(invitation=issued.invitation, actor=world.admin_user)
    assert again.value.code == ErrorCode.INVITATION_REVOKED
    with pytest.raises(DomainError) as unknown:
        accounts.invitation_accept(raw_token="nope", password="joining-passphrase-1")
    assert unknown.value.code == ErrorCode.NOT_FOUND


def test_an_account_that_never_had_a_password_sets_one_through_the_invitation(
    as_admin, client, world, invite
):
    """create_workspace without --admin-password makes such accounts: they cannot log in nor
    reset a password, but the invitation came to their inbox."""
    from workspaces import services

    other = services.workspace_create(name="Elsewhere")
    services.member_add(workspace=other, email="nopass@acme.test", role="agent")
    invite(as_admin, "nopass@acme.test", "agent")
    link = emailed_link("nopass@acme.test")
    client.logout()
    assert "Set password and join" in words(client.get(link))
    assert client.post(link, PASSWORD).status_code == 302
    user = Membership.objects.get(workspace=world.workspace, user__email="nopass@acme.test").user
    assert user.check_password(PASSWORD["password"])
    assert Membership.objects.filter(user=user).count() == 2
