"""Writes on tenants: workspaces, members, phone numbers, API tokens and contacts, and the
audit log every change made by a person (`actor`) or an API client (`via="api"`) is written to,
in the change's transaction. Set-up code (management commands, the demo seed, test fixtures)
passes neither and is not audited. Sign-up and invitations: `workspaces.accounts`."""

import re
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from compliance_center import time_zones
from compliance_center.db import get_or_insert
from compliance_center.errors import DomainError, ErrorCode
from compliance_center.phone import InvalidNumber, is_toll_free, pretty, to_e164

from . import signals
from .authentication import forget_token
from .models import ApiToken, AuditLogEntry, Contact, Membership, PhoneNumber, Role, Workspace
from .number_types import number_profile
from .selectors import forget_number_owner
from .tagging import contact_tags_set
from .twilio_check import ConnectionCheck, twilio_connection_check

ACCOUNT_SID_RE = re.compile(r"^AC[0-9a-fA-F]{32}$")
NAME_MAX = 200
LABEL_MAX = 100


def audit_record(
    *,
    workspace: Workspace,
    actor: Any,
    action: str,
    field: str = "",
    old_value: object = "",
    new_value: object = "",
    via: str = "",
) -> AuditLogEntry:
    """One audit log entry: `actor` a user (via "web"), or None for an API client ("api")."""
    is_user = actor is not None and getattr(actor, "pk", None) is not None
    return AuditLogEntry.objects.create(
        workspace=workspace,
        actor=actor if is_user else None,
        via=via or ("web" if is_user else "api"),
        action=action,
        field=field[: AuditLogEntry._meta.get_field("field").max_length],
        old_value=str(old_value),
        new_value=str(new_value),
    )


def _audited(actor: Any, via: str) -> bool:
    """A change by a person or an API client is audited; set-up code passes neither."""
    return actor is not None or bool(via)


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
        twilio_credentials_changed_at=timezone.now() if twilio_auth_token else None,
    )


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(ErrorCode.INVALID, "Give the workspace a name.", field="name")
    if len(name) > NAME_MAX:
        raise DomainError(
            ErrorCode.MAX_LENGTH,
            f"A workspace name has {NAME_MAX} characters at most.",
            field="name",
        )
    return name


@transaction.atomic
def workspace_update(
    *,
    workspace: Workspace,
    actor: Any = None,
    via: str = "",
    name: str | None = None,
    time_zone: str | None = None,
) -> list[str]:
    """Renames the workspace and/or sets the time zone its pages show dates in; returns the
    fields that changed (each one audited)."""
    locked = Workspace.objects.select_for_update().get(pk=workspace.pk)
    changes: dict[str, str] = {}
    if name is not None:
        changes["name"] = _clean_name(name)
    if time_zone is not None:
        time_zone = time_zone.strip()
        if not time_zones.is_valid_time_zone(time_zone):
            raise DomainError(
                ErrorCode.INVALID_TIME_ZONE,
                f"“{time_zone}” is not a time zone: use a name such as America/New_York, "
                "Europe/Paris or UTC.",
                field="time_zone",
            )
        changes["time_zone"] = time_zone
    changed = []
    for field, value in changes.items():
        old = getattr(locked, field)
        if old != value:
            setattr(locked, field, value)
            setattr(workspace, field, value)
            changed.append(field)
            audit_record(
                workspace=locked,
                actor=actor,
                via=via,
                action="workspace_changed",
                field=field,
                old_value=old,
                new_value=value,
            )
    if changed:
        locked.save(update_fields=changed)
    return changed


@transaction.atomic
def twilio_credentials_set(
    *,
    workspace: Workspace,
    account_sid: str,
    auth_token: str = "",
    actor: Any = None,
    via: str = "",
) -> None:
    """Sets the Twilio Account SID and, when given, the Auth Token (stored encrypted; audited
    as "changed", never its value). A blank token keeps the current one, unless none was ever
    set (the workspace still has its random placeholder)."""
    locked = Workspace.objects.select_for_update().get(pk=workspace.pk)
    account_sid = (account_sid or "").strip()
    auth_token = (auth_token or "").strip()
    if not ACCOUNT_SID_RE.match(account_sid):
        raise DomainError(
            ErrorCode.INVALID_ACCOUNT_SID,
            "An Account SID is AC followed by 32 letters and digits (0–9, a–f): copy it from "
            "the Twilio Console's Account Info.",
            field="account_sid",
        )
    if not auth_token and locked.twilio_credentials_changed_at is None:
        raise DomainError(
            ErrorCode.INVALID,
            "Paste the Auth Token too (Twilio Console, Account Info): it is needed to check "
            "Twilio's webhooks and to send.",
            field="auth_token",
        )
    if auth_token and (len(auth_token) > 128 or any(c.isspace() for c in auth_token)):
        raise DomainError(
            ErrorCode.INVALID,
            "An Auth Token is one word of letters and digits (32 of them): copy it again.",
            field="auth_token",
        )
    old_sid = locked.twilio_account_sid if locked.twilio_credentials_changed_at else ""
    if account_sid != locked.twilio_account_sid or old_sid == "":
        audit_record(
            workspace=locked,
            actor=actor,
            via=via,
            action="twilio_credentials_changed",
            field="account_sid",
            old_value=old_sid,
            new_value=account_sid,
        )
    locked.twilio_account_sid = account_sid
    if auth_token:
        locked.twilio_auth_token = auth_token
        audit_record(
            workspace=locked,
            actor=actor,
            via=via,
            action="twilio_credentials_changed",
            field="auth_token",
            new_value="changed",
        )
    locked.twilio_credentials_changed_at = timezone.now()
    locked.save(
        update_fields=["twilio_account_sid", "twilio_auth_token", "twilio_credentials_changed_at"]
    )
    workspace.twilio_account_sid = locked.twilio_account_sid
    workspace.twilio_credentials_changed_at = locked.twilio_credentials_changed_at
    # Webhooks of this process check signatures with the new token at once (the others re-read
    # the database when a signature fails).
    numbers = list(locked.phone_numbers.values_list("number", flat=True))

    def forget() -> None:
        for number in numbers:
            forget_number_owner(number)

    transaction.on_commit(forget)


def member_add(
    *, workspace: Workspace, email: str, role: str, password: str | None = None
) -> Membership:
    """Adds (or re-roles) the user with this email; creates the user when needed. Set-up code
    (commands, sign-up); pages change roles through `member_role_change`, which keeps an
    Admin."""
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


def _workspace_locked(workspace_id: int) -> Workspace:
    """Locks the workspace's row: its members' roles change one at a time, so that two admins
    demoting each other at once cannot leave it without an Admin."""
    return Workspace.objects.select_for_update().get(pk=workspace_id)


def _admins(workspace: Workspace) -> int:
    return Membership.objects.filter(workspace=workspace, role=Role.ADMIN).count()


def _fresh_membership(membership: Membership) -> Membership:
    found = (
        Membership.objects.select_related("user")
        .filter(pk=membership.pk, workspace_id=membership.workspace_id)
        .first()
    )
    if found is None:
        raise DomainError(ErrorCode.NOT_FOUND, "This person is no longer a member.")
    return found


LAST_ADMIN = (
    "{email} is the last Admin of this workspace: make another member an Admin first, "
    "so that someone can still manage it."
)


@transaction.atomic
def member_role_change(
    *, membership: Membership, role: str, actor: Any = None, via: str = ""
) -> Membership:
    """Gives a member another role; the last Admin keeps theirs."""
    if role not in Role.values:
        raise DomainError(ErrorCode.INVALID_CHOICE, "Choose Admin, Manager or Agent.", field="role")
    workspace = _workspace_locked(membership.workspace_id)
    current = _fresh_membership(membership)
    if current.role == role:
        return current
    if current.role == Role.ADMIN and _admins(workspace) <= 1:
        raise DomainError(
            ErrorCode.LAST_ADMIN, LAST_ADMIN.format(email=current.user.email), field="role"
        )
    audit_record(
        workspace=workspace,
        actor=actor,
        via=via,
        action="member_role_changed",
        field=current.user.email,
        old_value=current.role,
        new_value=role,
    )
    current.role = Role(role)
    current.save(update_fields=["role"])
    return current


@transaction.atomic
def member_remove(*, membership: Membership, actor: Any = None, via: str = "") -> None:
    """Removes a member from the workspace (their account stays); never the last Admin."""
    workspace = _workspace_locked(membership.workspace_id)
    current = _fresh_membership(membership)
    if current.role == Role.ADMIN and _admins(workspace) <= 1:
        raise DomainError(ErrorCode.LAST_ADMIN, LAST_ADMIN.format(email=current.user.email))
    audit_record(
        workspace=workspace,
        actor=actor,
        via=via,
        action="member_removed",
        field=current.user.email,
        old_value=current.role,
    )
    current.delete()


def _clean_label(label: str) -> str:
    label = " ".join((label or "").split())
    if len(label) > LABEL_MAX:
        raise DomainError(
            ErrorCode.MAX_LENGTH, f"A label has {LABEL_MAX} characters at most.", field="label"
        )
    return label


def phone_number_add(
    *,
    workspace: Workspace,
    number: str,
    label: str = "",
    opt_out_confirmations: str | None = None,
    messages_per_second: int | None = None,
    actor: Any = None,
    via: str = "",
) -> PhoneNumber:
    """Adds a number (any common format, stored E.164); a number belongs to one workspace only.
    Who confirms opt-outs on it defaults to the carrier on toll-free numbers, us elsewhere; its
    throughput defaults to its type's (long code 1/s, toll-free 3/s, short code 100/s)."""
    try:
        e164 = to_e164(number.strip())
    except InvalidNumber as exc:
        raise DomainError(
            ErrorCode.INVALID_NUMBER,
            f"“{number}” is not a valid phone number: type it with its country code, e.g. "
            "+1 415 555 0100.",
            field="number",
        ) from exc
    label = _clean_label(label)
    profile = number_profile(e164)
    confirmations = opt_out_confirmations or (
        PhoneNumber.Confirmations.CARRIER if is_toll_free(e164) else PhoneNumber.Confirmations.US
    )
    try:
        with transaction.atomic():
            created = PhoneNumber.objects.create(
                workspace=workspace,
                number=e164,
                label=label,
                opt_out_confirmations=confirmations,
                number_type=profile.number_type,
                messages_per_second=messages_per_second or profile.messages_per_second,
            )
            if _audited(actor, via):
                audit_record(
                    workspace=workspace,
                    actor=actor,
                    via=via,
                    action="number_added",
                    field=e164,
                    new_value=label,
                )
            return created
    except IntegrityError as exc:
        raise DomainError(
            ErrorCode.NUMBER_TAKEN,
            f"{pretty(e164)} already belongs to a workspace.",
            field="number",
        ) from exc


@transaction.atomic
def phone_number_relabel(
    *, number: PhoneNumber, label: str, actor: Any = None, via: str = ""
) -> PhoneNumber:
    label = _clean_label(label)
    if label != number.label:
        audit_record(
            workspace=number.workspace,
            actor=actor,
            via=via,
            action="number_relabelled",
            field=number.number,
            old_value=number.label,
            new_value=label,
        )
        number.label = label
        number.save(update_fields=["label"])
    return number


def phone_number_removal_impact(number: PhoneNumber) -> signals.RemovalImpact:
    """What removing the number would do, as the apps above say (signals.py)."""
    impact = signals.RemovalImpact()
    for _, answer in signals.phone_number_removal.send(sender=PhoneNumber, number=number):
        if isinstance(answer, signals.RemovalImpact):
            impact.blockers.extend(answer.blockers)
            impact.consequences.extend(answer.consequences)
    return impact


@transaction.atomic
def phone_number_remove(*, number: PhoneNumber, actor: Any = None, via: str = "") -> None:
    """Removes a number from the workspace, unless an app above refuses (opt-outs were made on
    it: removing it would lift them)."""
    _workspace_locked(number.workspace_id)
    impact = phone_number_removal_impact(number)
    if impact.blockers:
        raise DomainError(ErrorCode.NUMBER_IN_USE, " ".join(impact.blockers))
    audit_record(
        workspace=number.workspace,
        actor=actor,
        via=via,
        action="number_removed",
        field=number.number,
        old_value=number.label,
    )
    e164 = number.number
    number.delete()
    transaction.on_commit(lambda: forget_number_owner(e164))


@transaction.atomic
def api_token_create(*, workspace: Workspace, name: str = "default", created_by: Any = None) -> str:
    """Creates a token and returns its key; only the hash is kept. Audited when a person
    (`created_by`) made it."""
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(
            ErrorCode.INVALID,
            "Name the token after what will use it (e.g. “CRM sync”).",
            field="name",
        )
    if len(name) > 100:
        raise DomainError(
            ErrorCode.MAX_LENGTH, "A token name has 100 characters at most.", field="name"
        )
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        workspace=workspace,
        name=name,
        key_hash=ApiToken.hash(raw),
        prefix=raw[:8],
        created_by=created_by,
    )
    if created_by is not None:
        audit_record(
            workspace=workspace,
            actor=created_by,
            action="api_token_created",
            field=f"{token.name} ({token.prefix}…)",
            new_value="Active",
        )
    return raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: Any = None, via: str = "") -> ApiToken:
    """Revokes a token: this process refuses it at once, every other process within
    PROCESS_CACHE_SECONDS (their cache of tokens)."""
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        if _audited(actor, via):
            audit_record(
                workspace=locked.workspace,
                actor=actor,
                via=via,
                action="api_token_revoked",
                field=f"{locked.name} ({locked.prefix}…)",
                old_value="Active",
                new_value="Revoked",
            )
        key_hash = locked.key_hash
        transaction.on_commit(lambda: forget_token(key_hash))
    return locked


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
    time_zone: str = "",
    tags: list[str] | None = None,
    fields: dict[str, str] | None = None,
) -> Contact:
    """A new contact, with its tags and custom fields; a number the workspace already has is
    `contact_exists`."""
    try:
        with transaction.atomic():
            contact = Contact.objects.create(
                workspace=workspace,
                phone=phone,
                name=name,
                time_zone=time_zone,
                fields=fields or {},
            )
            if tags:
                contact_tags_set(contact=contact, names=tags)
            return contact
    except IntegrityError as exc:
        raise DomainError(
            ErrorCode.CONTACT_EXISTS, f"{phone} is already a contact.", field="phone"
        ) from exc


CONTACT_NAME_MAX = 200


@transaction.atomic
def contact_rename(*, contact: Contact, name: str, actor: Any = None, via: str = "") -> Contact:
    """Names a contact (a blank name removes it: the number is shown instead), in the audit log
    with the name before and after."""
    name = " ".join((name or "").split())
    if len(name) > CONTACT_NAME_MAX:
        raise DomainError(
            ErrorCode.MAX_LENGTH,
            f"A name has {CONTACT_NAME_MAX} characters at most.",
            field="name",
        )
    locked = Contact.objects.select_for_update().get(pk=contact.pk)
    if locked.name != name:
        old = locked.name
        locked.name = name
        locked.save(update_fields=["name"])
        if _audited(actor, via):
            audit_record(
                workspace=locked.workspace,
                actor=actor,
                via=via,
                action="contact_renamed",
                field=locked.phone,
                old_value=old,
                new_value=name,
            )
    contact.name = locked.name
    return contact


def contact_texted_in(*, contact: Contact, at: Any) -> None:
    """The contact texted the workspace at `at` (they may be answered; their replies are not
    held for quiet hours)."""
    Contact.objects.filter(pk=contact.pk).update(last_inbound_at=at)
    contact.last_inbound_at = at


def twilio_check_run(*, workspace: Workspace, actor: Any = None) -> ConnectionCheck:
    """ "Check connection": asks Twilio (twilio_check.py) and notes the outcome in the audit log."""
    result = twilio_connection_check(workspace)
    audit_record(
        workspace=workspace,
        actor=actor,
        action="twilio_checked",
        field="connection",
        new_value=result.summary,
    )
    return result
