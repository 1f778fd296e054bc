"""Writes of imports: store an upload (streamed to IMPORT_DIR), map its columns, process it in
chunks by a task, resumable, each chunk in one transaction with the import's progress.

A file is read twice: first whole, without writing anything (its encoding, its structure, its
rows counted for the progress bar) — a file that cannot be read is refused before any row is
imported —, then chunk by chunk. Every row is accepted or reported with its line and reason.
Re-importing the same file changes nothing: contacts are compared before they are written,
tags and consent already there are left, and contacts already blocked are not blocked again.
"""

import json
import logging
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from compliance_center.dispatch import Job, enqueue
from compliance_center.errors import DomainError, ErrorCode
from workspaces.models import Contact, ContactTag, PhoneNumber, Workspace
from workspaces.tagging import contact_tags_add, tags_ensure

from . import bulk, csvfile
from .models import Import, ImportKind, ImportRowError, ImportSeen, ImportStatus

logger = logging.getLogger(__name__)

CHUNK_ROWS = 2000
PREVIEW_ROWS = 5
MAX_ERRORS_KEPT = 100_000  # refused rows kept with their reason (all counted)


def import_dir() -> Path:
    path = Path(settings.IMPORT_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _open(job: Import) -> BinaryIO:
    return (import_dir() / job.path).open("rb")


# ---------------------------------------------------------------- upload and mapping


@dataclass(frozen=True)
class Preview:
    header: list[str]
    mapping: list[str]
    rows: list[list[str]]  # the first rows, as read


def import_create(
    *,
    workspace: Workspace,
    kind: str,
    upload: Any,
    mapping: list[str] | None = None,
    phone_number: PhoneNumber | None = None,
    draft: bool = False,
    created_by: Any = None,
) -> Import:
    """Stores the uploaded file (chunk by chunk) and the import, `queued` with the columns
    mapped from their names (or `mapping`), or `draft` for the browser's mapping step. A file
    that is not a CSV at all is refused here (`invalid_file`)."""
    if kind not in ImportKind.values:
        raise DomainError(ErrorCode.INVALID_CHOICE, "kind is contacts or block_list.", field="kind")
    if upload is None:
        raise DomainError(ErrorCode.INVALID_FILE, "Attach the CSV file.", field="file")
    if upload.size > settings.IMPORT_MAX_BYTES:
        raise DomainError(
            ErrorCode.INVALID_FILE,
            f"The file is {upload.size // 2**20} MiB; {settings.IMPORT_MAX_BYTES // 2**20} MiB "
            "at most: split it.",
            field="file",
        )
    if phone_number is not None and phone_number.workspace_id != workspace.pk:
        raise DomainError(
            ErrorCode.UNKNOWN_SENDER_NUMBER, "Pick a number of this workspace.", field="number"
        )
    name = f"{uuid.uuid4().hex}.csv"
    with (import_dir() / name).open("wb") as out:
        for chunk in upload.chunks(1 << 20):
            out.write(chunk)
    job = Import(
        workspace=workspace,
        kind=kind,
        status=ImportStatus.DRAFT,
        filename=str(getattr(upload, "name", ""))[:255],
        path=name,
        size=upload.size,
        phone_number=phone_number,
        created_by=created_by if getattr(created_by, "pk", None) else None,
    )
    try:
        with _open(job) as stream:
            dialect = csvfile.detect(stream.read(1 << 16))
            stream.seek(0)
            head = next(csvfile.records(stream, dialect), None)
    except (csvfile.FileRefused, UnicodeDecodeError) as exc:
        (import_dir() / name).unlink(missing_ok=True)
        raise DomainError(ErrorCode.INVALID_FILE, str(exc), field="file") from exc
    if head is None:
        (import_dir() / name).unlink(missing_ok=True)
        raise DomainError(ErrorCode.INVALID_FILE, "The file is empty.", field="file")
    header = [c.strip().lstrip("\ufeff")[:100] for c in head.cells[: csvfile.MAX_COLUMNS]]
    job.encoding, job.delimiter, job.header = dialect.encoding, dialect.delimiter, header
    job.mapping = csvfile.auto_mapping(kind, header)
    if mapping is not None or not draft:
        job.mapping = _checked_mapping(job, mapping if mapping is not None else job.mapping)
        job.status = ImportStatus.QUEUED
    job.save()
    if job.status == ImportStatus.QUEUED:
        enqueue(Job.IMPORT_PROCESS, job.pk)
    return job


def _checked_mapping(job: Import, mapping: list[str]) -> list[str]:
    try:
        return csvfile.check_mapping(job.kind, job.header, mapping)
    except ValueError as exc:
        raise DomainError(ErrorCode.INVALID, str(exc), field="mapping") from exc


def import_preview(job: Import) -> Preview:
    rows: list[list[str]] = []
    with _open(job) as stream:
        reader = csvfile.records(stream, csvfile.Dialect(job.encoding, job.delimiter))
        next(reader, None)
        for record in reader:
            rows.append([c[:80] for c in record.cells[: len(job.header)]])
            if len(rows) >= PREVIEW_ROWS:
                break
    return Preview(job.header, job.mapping, rows)


@transaction.atomic
def import_start(
    *, job: Import, mapping: list[str], phone_number: PhoneNumber | None = None
) -> Import:
    """The browser's last step: the mapping chosen, the import queued."""
    locked = Import.objects.select_for_update().get(pk=job.pk)
    if locked.status != ImportStatus.DRAFT:
        raise DomainError(ErrorCode.INVALID_TRANSITION, "This import has already started.")
    locked.mapping = _checked_mapping(locked, mapping)
    if phone_number is not None:
        locked.phone_number = phone_number
    locked.status = ImportStatus.QUEUED
    locked.save(update_fields=["mapping", "phone_number", "status"])
    enqueue(Job.IMPORT_PROCESS, locked.pk)
    return locked


# ---------------------------------------------------------------- processing


@dataclass
class Slice:
    again: bool  # not finished: queue the next slice


def import_process(*, import_id: int, max_seconds: float | None = None) -> Slice:
    """Processes an import for at most `max_seconds` (IMPORT_SLICE_SECONDS), from where it
    stopped; `again` when there is more."""
    deadline = time.monotonic() + (max_seconds or settings.IMPORT_SLICE_SECONDS)
    job = Import.objects.select_related("workspace", "phone_number").filter(pk=import_id).first()
    if job is None or job.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        return Slice(False)
    Import.objects.filter(pk=job.pk).update(stepped_at=timezone.now())
    dialect = csvfile.Dialect(job.encoding, job.delimiter)
    try:
        if job.status == ImportStatus.QUEUED:
            with _open(job) as stream:
                dialect = csvfile.check_encoding(stream, dialect)
                total = sum(1 for _ in csvfile.records(stream, dialect)) - 1
            started = Import.objects.filter(pk=job.pk, status=ImportStatus.QUEUED).update(
                status=ImportStatus.RUNNING,
                encoding=dialect.encoding,
                rows_total=max(0, total),
                started_at=timezone.now(),
            )
            if not started:
                return Slice(False)
            job.refresh_from_db()
        with _open(job) as stream:
            chunk: list[csvfile.Record] = []
            for record in csvfile.records(stream, dialect):
                if record.line < job.next_line:
                    continue
                chunk.append(record)
                if len(chunk) >= CHUNK_ROWS:
                    if not _apply(job, chunk):
                        return Slice(False)
                    chunk = []
                    if time.monotonic() > deadline:
                        return Slice(True)
            if chunk and not _apply(job, chunk):
                return Slice(False)
    except csvfile.FileRefused as exc:
        _fail(job, str(exc))
        return Slice(False)
    _finish(job)
    return Slice(False)


def _fail(job: Import, why: str) -> None:
    done = Import.objects.filter(pk=job.pk).values_list("rows_done", flat=True).first() or 0
    if done:
        why += f" The first {done} rows were imported; the rest was not."
    else:
        why += " Nothing was imported."
    Import.objects.filter(pk=job.pk).update(
        status=ImportStatus.FAILED, failure=why, finished_at=timezone.now()
    )
    ImportSeen.objects.filter(job=job).delete()


def _finish(job: Import) -> None:
    Import.objects.filter(pk=job.pk, status=ImportStatus.RUNNING).update(
        status=ImportStatus.DONE, finished_at=timezone.now()
    )
    ImportSeen.objects.filter(job=job).delete()
    (import_dir() / job.path).unlink(missing_ok=True)


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    consent: int = 0


def _apply(job: Import, chunk: list[csvfile.Record]) -> bool:
    """One chunk in one transaction with the import's progress; False when another task has
    already done it (the import moved on) or the import was stopped."""
    with transaction.atomic():
        locked = Import.objects.select_for_update().get(pk=job.pk)
        if locked.status != ImportStatus.RUNNING or locked.next_line != job.next_line:
            return False
        rows = [csvfile.understand(job.kind, job.mapping, record) for record in chunk]
        _duplicates(job, rows)
        errors: dict[int, str] = {r.line: r.error for r in rows if r.error}
        good = [r for r in rows if not r.error]
        if job.kind == ImportKind.CONTACTS:
            outcome = _contacts(job, good, errors)
        else:
            outcome = _block_list(job, good, errors)
        kept = max(0, MAX_ERRORS_KEPT - locked.error_count)
        ImportRowError.objects.bulk_create(
            [ImportRowError(job=job, line=line, reason=why[:300]) for line, why in errors.items()][
                :kept
            ],
            ignore_conflicts=True,
        )
        job.next_line = chunk[-1].line + 1
        Import.objects.filter(pk=job.pk).update(
            next_line=job.next_line,
            rows_done=F("rows_done") + len(chunk),
            created_count=F("created_count") + outcome.created,
            updated_count=F("updated_count") + outcome.updated,
            unchanged_count=F("unchanged_count") + outcome.unchanged,
            consent_count=F("consent_count") + outcome.consent,
            error_count=F("error_count") + len(errors),
            stepped_at=timezone.now(),
        )
    return True


def _duplicates(job: Import, rows: list[csvfile.Row]) -> None:
    """A number seen on an earlier line of the file makes this row a duplicate (the first one
    counts); the numbers seen are kept in the database (ImportSeen), not in memory."""
    first: dict[str, int] = {}
    for row in rows:
        if row.error:
            continue
        if row.phone in first:
            row.error = f"duplicate in file: same number as line {first[row.phone]}"
        else:
            first[row.phone] = row.line
    if not first:
        return
    if connection.vendor == "postgresql":
        # One statement: the unique (job, phone) index tells which numbers are new (a lookup of
        # the chunk's numbers first was planned as a scan of the growing table).
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {ImportSeen._meta.db_table} (job_id, phone, line)"  # noqa: S608
                " SELECT %s, p, l FROM unnest(%s::text[], %s::int[]) AS u(p, l)"
                " ON CONFLICT (job_id, phone) DO NOTHING RETURNING phone",
                [job.pk, list(first), list(first.values())],
            )
            fresh = {phone for (phone,) in cursor.fetchall()}
        seen_before = [p for p in first if p not in fresh]
        earlier = (
            dict(
                ImportSeen.objects.filter(job=job, phone__in=seen_before).values_list(
                    "phone", "line"
                )
            )
            if seen_before
            else {}
        )
    else:
        earlier = dict(
            ImportSeen.objects.filter(job=job, phone__in=list(first)).values_list("phone", "line")
        )
        ImportSeen.objects.bulk_create(
            [ImportSeen(job=job, phone=p, line=n) for p, n in first.items() if p not in earlier]
        )
    for row in rows:
        if not row.error and row.phone in earlier:
            row.error = f"duplicate in file: same number as line {earlier[row.phone]}"


def _upsert_contacts(
    workspace: Workspace, rows: list[csvfile.Row], *, load_new: bool = True
) -> tuple[dict[str, Contact], set[str], set[str]]:
    """The contacts of these rows, made or brought up to date: (by phone, phones made, phones
    changed). A contact whose values are already those of the row is not written. The new ones
    are read back only with `load_new` (their ids are needed for tags, consent, opt-outs)."""
    phones = [r.phone for r in rows]
    existing = {
        c.phone: c
        for c in Contact.objects.filter(workspace=workspace, phone__in=phones).only(
            "id", "phone", "name", "fields", "workspace_id"
        )
    }
    new = [r for r in rows if r.phone not in existing]
    _insert_contacts(workspace, new)
    changed = []
    for row in rows:
        contact = existing.get(row.phone)
        if contact is None:
            continue
        fields = {**contact.fields, **row.fields}
        name = row.name if row.name else contact.name
        if name != contact.name or fields != contact.fields:
            contact.name, contact.fields = name, fields
            changed.append(contact)
    Contact.objects.bulk_update(changed, ["name", "fields"], batch_size=500)
    made = {r.phone for r in new}
    if made and load_new:
        existing.update(
            {
                c.phone: c
                for c in Contact.objects.filter(workspace=workspace, phone__in=list(made)).only(
                    "id", "phone", "name", "fields", "workspace_id"
                )
            }
        )
    return existing, made, {c.phone for c in changed}


def _insert_contacts(workspace: Workspace, rows: list[csvfile.Row]) -> None:
    """New contacts, in one INSERT … SELECT unnest(…) on PostgreSQL (no model instances: a
    third of an import's time went into building them), bulk_create elsewhere."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        Contact.objects.bulk_create(
            [
                Contact(workspace=workspace, phone=r.phone, name=r.name or "", fields=r.fields)
                for r in rows
            ],
            ignore_conflicts=True,
            batch_size=CHUNK_ROWS,
        )
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Contact._meta.db_table} (workspace_id, phone, name, time_zone, fields,"  # noqa: S608
            " created_at) SELECT %s, p, n, '', f::jsonb, %s"
            " FROM unnest(%s::text[], %s::text[], %s::text[]) AS u(p, n, f)"
            " ON CONFLICT (workspace_id, phone) DO NOTHING",
            [
                workspace.pk,
                timezone.now(),
                [r.phone for r in rows],
                [r.name or "" for r in rows],
                [json.dumps(r.fields) for r in rows],
            ],
        )


def _contacts(job: Import, rows: list[csvfile.Row], errors: dict[int, str]) -> Outcome:
    workspace = job.workspace
    contacts, made, changed = _upsert_contacts(
        workspace, rows, load_new=any(r.tags or r.consent_source for r in rows)
    )
    tag_ids = tags_ensure(workspace=workspace, names={t for r in rows for t in r.tags})
    wanted = {(contacts[r.phone].pk, tag_ids[t]) for r in rows for t in r.tags}
    if wanted:
        have = set(
            ContactTag.objects.filter(
                contact_id__in={c for c, _ in wanted}, tag_id__in=set(tag_ids.values())
            ).values_list("contact_id", "tag_id")
        )
        missing = wanted - have
        contact_tags_add(pairs=missing)
        by_id = {c.pk: p for p, c in contacts.items()}
        changed |= {by_id[c] for c, _ in missing}
    consent = [r for r in rows if r.consent_source]
    recorded: set[int] = set()
    if consent:
        number = job.phone_number or workspace.phone_numbers.order_by("number").first()
        if number is None:
            for r in consent:
                errors[r.line] = "consent needs a number of the workspace: add one first"
        else:
            result = bulk.consents_import(
                workspace=workspace,
                items=[
                    bulk.ConsentItem(
                        contacts[r.phone].pk,
                        r.line,
                        r.consent_source,
                        r.consent_text,
                        r.consent_date,
                    )
                    for r in consent
                ],
                number=number,
                actor=job.created_by,
            )
            recorded = result.recorded
            errors.update(result.refused)
    ok = [r for r in rows if r.line not in errors]
    made_rows = sum(1 for r in ok if r.phone in made)
    changed_rows = sum(
        1 for r in ok if r.phone not in made and (r.phone in changed or r.line in recorded)
    )
    return Outcome(
        created=made_rows,
        updated=changed_rows,
        unchanged=len(ok) - made_rows - changed_rows,
        consent=len(recorded),
    )


def _block_list(job: Import, rows: list[csvfile.Row], errors: dict[int, str]) -> Outcome:
    workspace = job.workspace
    numbers = {n.number: n for n in workspace.phone_numbers.all()}
    default = job.phone_number or (numbers[min(numbers)] if numbers else None)
    items: list[tuple[csvfile.Row, PhoneNumber]] = []
    for row in rows:
        number = numbers.get(row.number) if row.number else default
        if number is None:
            errors[row.line] = (
                f"unknown number: {row.number} is not a number of this workspace"
                if row.number
                else "no number of the workspace to block from: add one first"
            )
            continue
        items.append((row, number))
    contacts, made, changed = _upsert_contacts(workspace, [r for r, _ in items])
    blocked = bulk.opt_outs_import(
        workspace=workspace,
        items=[
            bulk.OptOutItem(contacts[r.phone].pk, n, r.reason or "Imported from a block list.")
            for r, n in items
        ],
        actor=job.created_by,
    )
    created = sum(1 for r, _ in items if contacts[r.phone].pk in blocked)
    return Outcome(created=created, unchanged=len(items) - created)


# ---------------------------------------------------------------- reads and the sweeper


def error_rows(job: Import) -> Iterable[list[Any]]:
    for line, reason in (
        ImportRowError.objects.filter(job=job).order_by("line").values_list("line", "reason")
    ).iterator(chunk_size=5000):
        yield [line, reason]


def lost_imports(*, older_than_seconds: int) -> list[int]:
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(
        Import.objects.filter(status__in=(ImportStatus.QUEUED, ImportStatus.RUNNING))
        .exclude(stepped_at__gt=cutoff)
        .exclude(stepped_at__isnull=True, created_at__gt=cutoff)
        .values_list("id", flat=True)[:100]
    )
