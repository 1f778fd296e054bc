"""Tags on contacts: their names, and the set-based writes that attach them (imports attach a
chunk of contacts at once, never one row per statement)."""

from collections.abc import Iterable

from compliance_center.errors import DomainError, ErrorCode

from .models import Contact, ContactTag, Tag, Workspace

MAX_TAG_LENGTH = 64
MAX_TAGS_PER_CONTACT = 50


def normalize_tag(raw: str) -> str:
    """A tag as stored: spaces collapsed, lower case ("  VIP  customers" -> "vip customers").
    ValueError for an empty or too long one."""
    name = " ".join(str(raw).split()).lower()
    if not name:
        raise ValueError("a tag cannot be empty")
    if len(name) > MAX_TAG_LENGTH:
        raise ValueError(f"a tag is {MAX_TAG_LENGTH} characters at most")
    return name


def split_tags(raw: str) -> list[str]:
    """The tags of one CSV cell or form field: separated by commas or semicolons, normalised,
    duplicates dropped (ValueError for a bad one)."""
    seen: dict[str, None] = {}
    for part in raw.replace(";", ",").split(","):
        if part.strip():
            seen[normalize_tag(part)] = None
    return list(seen)


def tags_ensure(*, workspace: Workspace, names: Iterable[str]) -> dict[str, int]:
    """The ids of the workspace's tags with these (normalised) names, created if missing."""
    wanted = set(names)
    if not wanted:
        return {}
    Tag.objects.bulk_create(
        [Tag(workspace=workspace, name=n) for n in sorted(wanted)], ignore_conflicts=True
    )
    return dict(Tag.objects.filter(workspace=workspace, name__in=wanted).values_list("name", "id"))


def contact_tags_add(*, pairs: Iterable[tuple[int, int]]) -> None:
    """Attaches tags to contacts, (contact id, tag id) pairs; pairs already there are kept."""
    rows = [ContactTag(contact_id=c, tag_id=t) for c, t in set(pairs)]
    ContactTag.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)


def contact_tags_set(*, contact: Contact, names: Iterable[str]) -> list[str]:
    """Replaces a contact's tags by these names; returns them normalised."""
    try:
        normalized = sorted({normalize_tag(n) for n in names})
    except ValueError as exc:
        raise DomainError(ErrorCode.INVALID, f"tags: {exc}", field="tags") from exc
    if len(normalized) > MAX_TAGS_PER_CONTACT:
        raise DomainError(
            ErrorCode.INVALID, f"A contact has {MAX_TAGS_PER_CONTACT} tags at most.", field="tags"
        )
    ids = tags_ensure(workspace=contact.workspace, names=normalized)
    ContactTag.objects.filter(contact=contact).exclude(tag_id__in=ids.values()).delete()
    contact_tags_add(pairs=((contact.pk, i) for i in ids.values()))
    return normalized


def tags_of(contact_ids: Iterable[int]) -> dict[int, list[str]]:
    """The tag names of each contact (one query), for a page of contacts."""
    found: dict[int, list[str]] = {}
    for contact_id, name in (
        ContactTag.objects.filter(contact_id__in=list(contact_ids))
        .order_by("tag__name")
        .values_list("contact_id", "tag__name")
    ):
        found.setdefault(contact_id, []).append(name)
    return found
