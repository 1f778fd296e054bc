"""Accounts: sign-up (a user and their workspace) and invitations to join a workspace.

An invitation is a one-time link: its token is shown once to the Admin who made it and emailed
to the person invited; only its SHA-256 is stored. It is used once, expires after
INVITATION_DAYS, and ends when it is revoked or sent again (a new link). Emails go through
Django's email backend (EMAIL_URL) after the transaction commits; a failure to send is logged,
and the link on the page still works."""

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from compliance_center import time_zones
from compliance_center.errors import DomainError, ErrorCode

from .models import Invitation, Membership, Role, Workspace
from .services import audit_record, member_add, workspace_create

logger = logging.getLogger(__name__)

INVITATION_DAYS = 7


def _normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def user_with_email(email: str) -> Any:
    return get_user_model().objects.filter(email__iexact=_normalize_email(email)).first()


def has_password(email: str) -> bool:
    """Whether someone can log in with this email (an account with a usable password)."""
    user = user_with_email(email)
    return user is not None and user.has_usable_password()


def _check_password(password: str, *, email: str) -> None:
    user = get_user_model()(username=email, email=email)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(
            ErrorCode.INVALID_PASSWORD, " ".join(exc.messages), field="password"
        ) from exc


@transaction.atomic
def account_signup(
    *, email: str, password: str, workspace_name: str, time_zone: str = ""
) -> Membership:
    """A new user and their new workspace, of which they are the Admin; `time_zone` (the
    browser's, when known) is the one its pages show dates in."""
    email = _normalize_email(email)
    if user_with_email(email) or get_user_model().objects.filter(username=email).exists():
        raise DomainError(
            ErrorCode.EMAIL_TAKEN,
            "An account with this email already exists: log in, or reset your password.",
            field="email",
        )
    _check_password(password, email=email)
    workspace = workspace_create(name=" ".join(workspace_name.split()) or "My workspace")
    if time_zone and time_zone != workspace.time_zone and time_zones.is_valid_time_zone(time_zone):
        workspace.time_zone = time_zone
        workspace.save(update_fields=["time_zone"])
    try:
        with transaction.atomic():
            membership = member_add(
                workspace=workspace, email=email, role=Role.ADMIN, password=password
            )
    except IntegrityError as exc:  # the same email signing up twice at once
        raise DomainError(
            ErrorCode.EMAIL_TAKEN, "An account with this email already exists.", field="email"
        ) from exc
    audit_record(
        workspace=workspace,
        actor=membership.user,
        action="workspace_created",
        field="name",
        new_value=workspace.name,
    )
    return membership


# ---------------------------------------------------------------- invitations


@dataclass(frozen=True)
class IssuedInvitation:
    """An invitation with its one-time link: the only moment the link is known."""

    invitation: Invitation
    url: str


def invitation_url(raw_token: str) -> str:
    return settings.PUBLIC_BASE_URL + reverse("invitation-accept", kwargs={"token": raw_token})


def _send_invitation_email(invitation: Invitation, url: str, inviter: str) -> None:
    role = Role(invitation.role).label
    subject = f"Join {invitation.workspace.name} on Compliance Center"
    body = (
        f"{inviter} invited you to join {invitation.workspace.name} on Compliance Center "
        f"as {role}.\n\n"
        f"Open this link to accept (it works once, until "
        f"{invitation.expires_at:%Y-%m-%d %H:%M} UTC):\n{url}\n\n"
        "If you did not expect this invitation, ignore this email."
    )
    try:
        send_mail(subject, body, None, [invitation.email])
    except Exception:
        logger.exception("could not email the invitation %s", invitation.pk)


def _issue(invitation: Invitation, actor: Any) -> IssuedInvitation:
    """Gives the invitation a new token and expiry, and emails the link after commit."""
    raw = Invitation.generate()
    now = timezone.now()
    invitation.token_hash = Invitation.hash(raw)
    invitation.sent_at = now
    invitation.expires_at = now + timedelta(days=INVITATION_DAYS)
    invitation.save()
    url = invitation_url(raw)
    inviter = getattr(actor, "email", "") or "An Admin"
    transaction.on_commit(lambda: _send_invitation_email(invitation, url, inviter), robust=True)
    return IssuedInvitation(invitation, url)


@transaction.atomic
def invitation_create(
    *, workspace: Workspace, email: str, role: str, invited_by: Any = None
) -> IssuedInvitation:
    """Invites `email` to the workspace with `role`; refuses a member or an open invitation."""
    email = _normalize_email(email)
    if role not in Role.values:
        raise DomainError(ErrorCode.INVALID_CHOICE, "Choose Admin, Manager or Agent.", field="role")
    if Membership.objects.filter(workspace=workspace, user__email__iexact=email).exists():
        raise DomainError(
            ErrorCode.ALREADY_MEMBER,
            f"{email} is already a member of this workspace.",
            field="email",
        )
    if Invitation.objects.filter(
        workspace=workspace, email=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).exists():
        raise DomainError(
            ErrorCode.INVITATION_PENDING,
            f"{email} is already invited: use “Send again” in the list below for a new link.",
            field="email",
        )
    invitation = Invitation(
        workspace=workspace,
        email=email,
        role=Role(role),
        invited_by=invited_by if getattr(invited_by, "pk", None) else None,
    )
    try:
        with transaction.atomic():
            issued = _issue(invitation, invited_by)
    except IntegrityError as exc:  # the same address invited twice at once
        raise DomainError(
            ErrorCode.INVITATION_PENDING, f"{email} is already invited.", field="email"
        ) from exc
    audit_record(
        workspace=workspace,
        actor=invited_by,
        action="member_invited",
        field=email,
        new_value=invitation.role,
    )
    return issued


def _open_invitation(invitation: Invitation) -> Invitation:
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.accepted_at:
        raise DomainError(ErrorCode.INVITATION_USED, f"{locked.email} has already joined.")
    if locked.revoked_at:
        raise DomainError(ErrorCode.INVITATION_REVOKED, "This invitation was revoked.")
    return locked


@transaction.atomic
def invitation_resend(*, invitation: Invitation, actor: Any = None) -> IssuedInvitation:
    """A new link for an open invitation (expired or not), valid INVITATION_DAYS again; the
    previous link stops working."""
    locked = _open_invitation(invitation)
    issued = _issue(locked, actor)
    audit_record(
        workspace=locked.workspace,
        actor=actor,
        action="invitation_resent",
        field=locked.email,
        new_value=locked.role,
    )
    return issued


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: Any = None) -> Invitation:
    """The invitation's link stops working."""
    locked = _open_invitation(invitation)
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    audit_record(
        workspace=locked.workspace,
        actor=actor,
        action="invitation_revoked",
        field=locked.email,
        old_value=locked.role,
    )
    return locked


def invitation_for_token(raw_token: str) -> Invitation | None:
    """The invitation a link names (whatever its state), or None."""
    if not raw_token or len(raw_token) > 100:
        return None
    return (
        Invitation.objects.select_related("workspace", "invited_by")
        .filter(token_hash=Invitation.hash(raw_token))
        .first()
    )


def invitation_refusal(invitation: Invitation) -> DomainError | None:
    """Why this invitation can no longer be accepted, in plain words, or None."""
    if invitation.accepted_at:
        return DomainError(
            ErrorCode.INVITATION_USED,
            "This invitation has already been used. Log in with the account that accepted it, "
            "or ask an Admin of the workspace for a new invitation.",
        )
    if invitation.revoked_at:
        return DomainError(
            ErrorCode.INVITATION_REVOKED,
            "This invitation was revoked by an Admin of the workspace. Ask them for a new one.",
        )
    if invitation.expires_at <= timezone.now():
        return DomainError(
            ErrorCode.INVITATION_EXPIRED,
            f"This invitation expired on {timezone.localtime(invitation.expires_at):%Y-%m-%d} "
            f"(links work for {INVITATION_DAYS} days). Ask an Admin of the workspace to send it "
            "again.",
        )
    return None


NOT_VALID = (
    "This invitation link is not valid: it may have been copied incompletely, or replaced by a "
    "newer invitation. Ask an Admin of the workspace to send it again."
)


@transaction.atomic
def invitation_accept(*, raw_token: str, user: Any = None, password: str = "") -> Membership:
    """Accepts an invitation: `user` (logged in, with the invited email) joins, or, for a
    visitor without an account, a user is created with `password`. One use only."""
    found = invitation_for_token(raw_token)
    if found is None:
        raise DomainError(ErrorCode.NOT_FOUND, NOT_VALID)
    invitation = Invitation.objects.select_for_update().select_related("workspace").get(pk=found.pk)
    refusal = invitation_refusal(invitation)
    if refusal:
        raise refusal
    if user is not None and getattr(user, "is_authenticated", False):
        if _normalize_email(user.email) != invitation.email:
            raise DomainError(
                ErrorCode.INVITATION_WRONG_EMAIL,
                f"This invitation is for {invitation.email}, and you are logged in as "
                f"{user.email}. Log out, then open the link again.",
            )
        membership, _ = Membership.objects.get_or_create(
            user=user, workspace=invitation.workspace, defaults={"role": invitation.role}
        )
    else:
        if has_password(invitation.email):
            raise DomainError(
                ErrorCode.EMAIL_TAKEN,
                f"{invitation.email} already has an account: log in to accept the invitation.",
            )
        # A new person, or an account that never had a password (made by create_workspace
        # without one): the link came to their inbox, as a password reset's would.
        _check_password(password, email=invitation.email)
        membership = member_add(
            workspace=invitation.workspace,
            email=invitation.email,
            role=invitation.role,
            password=password,
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = membership.user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        workspace=invitation.workspace,
        actor=membership.user,
        action="member_joined",
        field=invitation.email,
        new_value=membership.role,
    )
    return membership
