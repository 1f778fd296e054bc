"""Reads on tenants used by several callers."""

import re
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Q

from compliance_center.phone import DEFAULT_REGION, region_of
from compliance_center.process_cache import ProcessCache

from .models import ApiToken, Invitation, Membership, PhoneNumber


@dataclass(frozen=True)
class NumberOwner:
    """A workspace number as a webhook needs it: who owns it and the token that signs for it."""

    phone_number_id: int
    number: str
    workspace_id: int
    twilio_auth_token: str
    number_type: str = "10dlc"
    registration_status: str = "unregistered"


_owners = ProcessCache()  # number -> NumberOwner


def number_owner(number: str, *, fresh: bool = False) -> NumberOwner | None:
    """The owner of the E.164 `number`, cached per process (every inbound text asks this).

    `fresh=True` reads the database again: the caller's signature check failed, and the
    workspace may have just rotated its Twilio auth token.
    """

    def load() -> NumberOwner | None:
        row = PhoneNumber.objects.select_related("workspace").filter(number=number).first()
        if row is None:
            return None
        return NumberOwner(
            row.id,
            row.number,
            row.workspace_id,
            row.workspace.twilio_auth_token,
            row.number_type,
            row.registration_status,
        )

    if fresh:
        _owners.discard(number)
    return _owners.get(number, load)


def forget_number_owner(number: str) -> None:
    """Drops this process's cached owner of `number` (removed, or its workspace's token changed)."""
    _owners.discard(number)


def workspace_number(workspace_id: int, number: str) -> PhoneNumber | None:
    """The workspace's own number `number` (E.164) for a send or a check, from the same cache;
    a fresh instance with what a send needs loaded (the label loads if asked)."""
    owner = number_owner(number)
    if owner is None or owner.workspace_id != workspace_id:
        return None
    return PhoneNumber.from_db(
        DEFAULT_DB_ALIAS,
        ["id", "workspace_id", "number", "number_type", "registration_status"],
        [
            owner.phone_number_id,
            workspace_id,
            number,
            owner.number_type,
            owner.registration_status,
        ],
    )


def display_region(workspace: Any) -> str:
    """The country whose numbers the workspace's pages show in national format: the country of
    its first number (a US workspace reads "(415) 555-0100"), the US before it has one."""
    first = (
        PhoneNumber.objects.filter(workspace=workspace)
        .order_by("created_at", "id")
        .values_list("number", flat=True)
        .first()
    )
    return region_of(first) if first else DEFAULT_REGION


def memberships_of(user: Any) -> list[Membership]:
    if not user.is_authenticated:
        return []
    return list(Membership.objects.filter(user=user).select_related("workspace"))


_PHONE_LIKE = re.compile(r"^[\d\s().+\-/]+$")


def contact_search(q: str, prefix: str = "") -> Q:
    """The one phone-and-name search rule (inbox, block list): a name contains `q`, or — when
    `q` is written like a phone number — the contact's number contains its digits, whatever
    their format: "(415) 555-0123" and "+14155550123" both find +14155550123, while the digits
    of a name or a label ("Room 101") search nothing but names. `prefix` is the path to the
    contact ("contact__" from an opt-out or a conversation)."""
    q = q.strip()
    condition = Q(**{f"{prefix}name__icontains": q})
    digits = "".join(ch for ch in q if ch.isdigit())
    if len(digits) >= 3 and _PHONE_LIKE.match(q):
        # A national number typed with its country code: keep the last ten digits.
        condition |= Q(**{f"{prefix}phone__contains": digits[-10:]})
    return condition


@dataclass(frozen=True)
class SetupStep:
    key: str
    title: str
    detail: str
    done: bool
    optional: bool = False


def setup_checklist(workspace: Any) -> list[SetupStep]:
    """What a new workspace still needs before it can text: Settings → General shows it until
    the required steps are done."""
    numbers = PhoneNumber.objects.filter(workspace=workspace).exists()
    members = Membership.objects.filter(workspace=workspace).count()
    invited = Invitation.objects.filter(
        workspace=workspace, accepted_at__isnull=True, revoked_at__isnull=True
    ).exists()
    tokens = ApiToken.objects.filter(workspace=workspace, revoked_at__isnull=True).exists()
    return [
        SetupStep(
            "numbers",
            "Add a phone number",
            "The Twilio number your team texts from.",
            numbers,
        ),
        SetupStep(
            "twilio",
            "Connect Twilio",
            "Your Account SID and Auth Token, then “Check connection”.",
            workspace.twilio_credentials_changed_at is not None,
        ),
        SetupStep(
            "members",
            "Invite your team",
            "Admins, Managers and Agents, by email.",
            members > 1 or invited,
        ),
        SetupStep(
            "tokens",
            "Create an API token",
            "For your CRM or website to send and check opt-outs.",
            tokens,
            optional=True,
        ),
    ]
