"""Reads on the workspace's contacts at scale: the Contacts page and `GET contacts` filter by
search, tag, consent state and opt-out state, and walk pages by id (keyset), so that a page of
a million contacts costs an index range scan, never a sort of every row."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from optout.models import ConsentStatus, OptIn, OptOut
from workspaces.models import Contact, ContactTag
from workspaces.selectors import contact_search
from workspaces.tagging import normalize_tag

CONSENT_STATES = tuple(ConsentStatus.values)  # opted_in, pending, opted_out, unknown


@dataclass(frozen=True)
class ContactFilter:
    """What a list of contacts is narrowed to; empty values filter nothing."""

    q: str = ""
    phone: str = ""  # exact E.164
    tag: str = ""
    consent: str = ""  # one of CONSENT_STATES
    opted_out: bool | None = None


def _states() -> dict[str, Exists]:
    """A contact's consent across the workspace (any number): blocked somewhere, consent on
    record, or a double opt-in waiting for YES. The consent for one number is
    `optout.selectors.consent_status`."""
    contact = OuterRef("pk")
    return {
        "is_opted_out": Exists(OptOut.objects.filter(contact=contact)),
        "has_consent": Exists(OptIn.objects.filter(contact=contact, status=OptIn.Status.CONFIRMED)),
        "is_pending": Exists(
            OptIn.objects.filter(contact=contact, status=OptIn.Status.PENDING).filter(
                Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
            )
        ),
    }


def contact_rows(*, workspace: Any, filters: ContactFilter) -> QuerySet[Contact]:
    """The workspace's contacts matching `filters`, oldest first (by id), each annotated with
    `is_opted_out`, `has_consent` and `is_pending`. ValueError for a bad tag or consent."""
    states = _states()
    qs = Contact.objects.filter(workspace=workspace).annotate(**states).order_by("id")
    if filters.q.strip():
        qs = qs.filter(contact_search(filters.q))
    if filters.phone:
        qs = qs.filter(phone=filters.phone)
    if filters.tag.strip():
        qs = qs.filter(
            Exists(
                ContactTag.objects.filter(
                    contact=OuterRef("pk"),
                    tag__workspace=workspace,
                    tag__name=normalize_tag(filters.tag),
                )
            )
        )
    if filters.opted_out is not None:
        qs = qs.filter(is_opted_out=filters.opted_out)
    if filters.consent:
        if filters.consent not in CONSENT_STATES:
            raise ValueError(f"consent is one of {', '.join(CONSENT_STATES)}")
        qs = {
            ConsentStatus.OPTED_OUT: qs.filter(is_opted_out=True),
            ConsentStatus.OPTED_IN: qs.filter(is_opted_out=False, has_consent=True),
            ConsentStatus.PENDING: qs.filter(
                is_opted_out=False, has_consent=False, is_pending=True
            ),
            ConsentStatus.UNKNOWN: qs.filter(
                is_opted_out=False, has_consent=False, is_pending=False
            ),
        }[ConsentStatus(filters.consent)]
    return qs


def consent_summary(contact: Contact) -> str:
    """The state a row annotated by `contact_rows` shows: opted out beats opted in beats pending
    beats unknown (as for one number)."""
    if getattr(contact, "is_opted_out", False):
        return ConsentStatus.OPTED_OUT
    if getattr(contact, "has_consent", False):
        return ConsentStatus.OPTED_IN
    if getattr(contact, "is_pending", False):
        return ConsentStatus.PENDING
    return ConsentStatus.UNKNOWN


@dataclass(frozen=True)
class ContactPage:
    rows: list[Contact]
    next_after: int | None  # the id to continue after, None on the last page
    previous_before: int | None


def contact_page(
    *,
    workspace: Any,
    filters: ContactFilter,
    after: int | None = None,
    before: int | None = None,
    size: int = 50,
) -> ContactPage:
    """One keyset page: the `size` contacts after the id `after` (or before `before`)."""
    qs = contact_rows(workspace=workspace, filters=filters)
    if before is not None:
        rows = list(qs.filter(id__lt=before).order_by("-id")[: size + 1])
        more_before = len(rows) > size
        rows = list(reversed(rows[:size]))
        return ContactPage(
            rows,
            next_after=rows[-1].id if rows else None,
            previous_before=rows[0].id if rows and more_before else None,
        )
    if after is not None:
        qs = qs.filter(id__gt=after)
    rows = list(qs[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return ContactPage(
        rows,
        next_after=rows[-1].id if rows and more else None,
        previous_before=rows[0].id if rows and after is not None else None,
    )
