"""Writes on tenants: workspaces, members, phone numbers, API tokens and contacts."""

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from compliance_center.db import get_or_insert
from compliance_center.errors import DomainError, ErrorCode
from compliance_center.phone import is_toll_free, to_e164

from .models import ApiToken, Contact, Membership, PhoneNumber, Role, Workspace
from .number_types import number_profile
from .tagging import contact_tags_set


def _unique_slug(name: str) -> str:
    base = slugify(name)[:60] or "workspace"
    slug, n = base, 2
    while Workspace.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def workspace_create(
    *,
    name: str,
    twilio_account_sid: str = "",
    twilio_auth_token: str = "",
) -> Workspace:
    """A workspace (the apps above set up their own rows for it on `post_save`). Without a Twilio
    token a random one is stored, so that webhooks are refused until the real token is set
    (fail closed)."""
    return Workspace.objects.create(
        name=name,
        slug=_unique_slug(name),
        twilio_account_sid=twilio_account_sid or "AC" + secrets.token_hex(16),
        twilio_auth_token=twilio_auth_token or secrets.token_hex(16),
    )


def member_add(
    *, workspace: Workspace, email: str, role: str, password: str | None = None
) -> Membership:
    """Adds (or re-roles) the user with this email; creates the user when needed."""
    User = get_user_model()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(username=email.lower(), email=email.lower())
    if password:
        user.set_password(password)
        user.save(update_fields=["password"])
    membership, _ = Membership.objects.update_or_create(
        user=user, workspace=workspace, defaults={"role": Role(role)}
    )
    return membership


def phone_number_add(
    *,
    workspace: Workspace,
    number: str,
    label: str = "",
    opt_out_confirmations: str | None = None,
    messages_per_second: int | None = None,
) -> PhoneNumber:
    """Adds a number (any common format, stored E.164); a number belongs to one workspace only.
    Who confirms opt-outs on it defaults to the carrier on toll-free numbers, us elsewhere; its
    throughput defaults to its type's (long code 1/s, toll-free 3/s, short code 100/s)."""
    e164 = to_e164(number)
    rate = messages_per_second or number_profile(e164).messages_per_second
    confirmations = opt_out_confirmations or (
        PhoneNumber.Confirmations.CARRIER if is_toll_free(e164) else PhoneNumber.Confirmations.US
    )
    try:
        with transaction.atomic():
            return PhoneNumber.objects.create(
                workspace=workspace,
                number=e164,
                label=label,
                opt_out_confirmations=confirmations,
                messages_per_second=rate,
            )
    except IntegrityError as exc:
        raise DomainError(
            ErrorCode.NUMBER_TAKEN, f"{e164} already belongs to a workspace.", field="number"
        ) from exc


def api_token_create(*, workspace: Workspace, name: str = "default", created_by: Any = None) -> str:
    """Creates a token and returns its key; only the hash is kept."""
    raw = ApiToken.generate()
    ApiToken.objects.create(
        workspace=workspace,
        name=name,
        key_hash=ApiToken.hash(raw),
        prefix=raw[:8],
        created_by=created_by,
    )
    return raw


def contact_get_or_insert(*, workspace: Workspace, phone: str) -> tuple[Contact, bool]:
    """The workspace's contact with the E.164 `phone`, inserted if new, and whether it was."""
    return get_or_insert(Contact, {"workspace": workspace, "phone": phone})


def contact_get_or_create(*, workspace: Workspace, phone: str) -> Contact:
    return contact_get_or_insert(workspace=workspace, phone=phone)[0]


def contact_create(
    *,
    workspace: Workspace,
    phone: str,
    name: str = "",
    tags: list[str] | None = None,
    fields: dict[str, str] | None = None,
) -> Contact:
    """A new contact, with its tags and custom fields; a number the workspace already has is
    `contact_exists`."""
    try:
        with transaction.atomic():
            contact = Contact.objects.create(
                workspace=workspace, phone=phone, name=name, fields=fields or {}
            )
            if tags:
                contact_tags_set(contact=contact, names=tags)
            return contact
    except IntegrityError as exc:
        raise DomainError(
            ErrorCode.CONTACT_EXISTS, f"{phone} is already a contact.", field="phone"
        ) from exc


def contact_texted_in(*, contact: Contact, at: Any) -> None:
    """The contact texted the workspace at `at` (they may be answered; their replies are not
    held for quiet hours)."""
    Contact.objects.filter(pk=contact.pk).update(last_inbound_at=at)
    contact.last_inbound_at = at
