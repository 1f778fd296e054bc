"""Reading an uploaded CSV: its encoding, its delimiter, its header and the mapping of its
columns, and each row checked into what it means. No database: the rows are read from a binary
file, a chunk at a time, never whole into memory.

Encodings: UTF-8 (with or without a BOM), UTF-16 with its BOM; a file that is not valid UTF-8
is read as Windows-1252 (what spreadsheets on Windows write), and the import says so.
Delimiters: comma, semicolon, tab or pipe, sniffed from the start of the file. Quoted fields
may hold delimiters, quotes and newlines. Line numbers are the file's own, the header being
line 1: a row that spans several lines is reported at its first.
"""

import codecs
import contextlib
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import BinaryIO

import phonenumbers

from compliance_center.phone import InvalidNumber, to_e164
from workspaces.contact_fields import MAX_VALUE_LENGTH, normalize_field_name
from workspaces.tagging import split_tags

CONTACTS, BLOCK_LIST = "contacts", "block_list"
KINDS = (CONTACTS, BLOCK_LIST)

# What a column can be mapped to. `field:<name>` makes a custom field.
PHONE, NAME, FIRST_NAME, LAST_NAME, TAGS = "phone", "name", "first_name", "last_name", "tags"
CONSENT_SOURCE, CONSENT_DATE, CONSENT_TEXT = "consent_source", "consent_date", "consent_text"
NUMBER, REASON, IGNORE = "number", "reason", "ignore"
TARGETS = {
    CONTACTS: (
        PHONE,
        NAME,
        FIRST_NAME,
        LAST_NAME,
        TAGS,
        CONSENT_SOURCE,
        CONSENT_DATE,
        CONSENT_TEXT,
        IGNORE,
    ),
    BLOCK_LIST: (PHONE, NAME, NUMBER, REASON, IGNORE),
}
FIELD_PREFIX = "field:"
# Header names recognised without a mapping (compared lower-case, spaces and _ - . removed).
ALIASES = {
    PHONE: {
        "phone",
        "phonenumber",
        "mobile",
        "mobilenumber",
        "cell",
        "number",
        "msisdn",
        "tel",
        "telephone",
        "contact",
        "to",
    },
    NAME: {"name", "fullname", "contactname"},
    FIRST_NAME: {"firstname", "givenname", "first"},
    LAST_NAME: {"lastname", "surname", "familyname", "last"},
    TAGS: {"tags", "tag", "labels", "lists", "groups"},
    CONSENT_SOURCE: {"consentsource", "optinsource", "source"},
    CONSENT_DATE: {"consentdate", "optindate", "consentedat", "optedinat", "date"},
    CONSENT_TEXT: {
        "consenttext",
        "consentevidence",
        "evidence",
        "textshown",
        "optintext",
        "consentwording",
    },
    REASON: {"reason", "note", "notes", "comment"},
}
BLOCK_NUMBER_ALIASES = {"workspacenumber", "sendernumber", "from", "optedouton", "fromnumber"}
CONSENT_SOURCES = ("web_form", "paper_form", "verbal", "api", "import")
MAX_CELL = 2000
MAX_COLUMNS = 100


class FileRefused(ValueError):
    """A file that cannot be imported at all: nothing of it is."""


@dataclass(frozen=True)
class Dialect:
    encoding: str
    delimiter: str


def detect(head: bytes) -> Dialect:
    """The encoding and delimiter from the first bytes of a file (64 KiB is plenty); the whole
    file's encoding is confirmed by `check_encoding`."""
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8"
    if b"\x00" in head and encoding == "utf-8":
        raise FileRefused("This is not a text file (it holds NUL bytes): export it as CSV.")
    text = head.decode(encoding if encoding != "utf-8" else "utf-8", errors="replace")
    first_lines = "\n".join(text.splitlines()[:20])
    try:
        delimiter = csv.Sniffer().sniff(first_lines, delimiters=",;\t|").delimiter
    except csv.Error:
        counts = {d: first_lines.count(d) for d in ",;\t|"}
        delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    return Dialect(encoding, delimiter)


def check_encoding(stream: BinaryIO, dialect: Dialect) -> Dialect:
    """Reads the whole file once: UTF-8 that is not valid becomes Windows-1252 (or Latin-1,
    which decodes any byte)."""
    if dialect.encoding != "utf-8":
        return dialect
    decoder = codecs.getincrementaldecoder("utf-8")()
    stream.seek(0)
    try:
        while chunk := stream.read(1 << 20):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        stream.seek(0)
        legacy = "cp1252"
        try:
            while chunk := stream.read(1 << 20):
                chunk.decode("cp1252")
        except UnicodeDecodeError:
            legacy = "latin-1"
        return Dialect(legacy, dialect.delimiter)
    finally:
        stream.seek(0)
    return dialect


@dataclass(frozen=True)
class Record:
    line: int  # the file's line where the row starts (the header is line 1)
    cells: list[str]


def records(stream: BinaryIO, dialect: Dialect) -> Iterator[Record]:
    """Every row of the file with its first line number, the header first; rows with nothing
    in them are skipped. Streamed."""
    text = io.TextIOWrapper(stream, encoding=dialect.encoding, newline="", errors="replace")
    csv.field_size_limit(1 << 20)
    # strict: a quote opened and never closed, or text after a closing quote, is an error (the
    # file is refused, nothing imported), not a cell that swallows the rest of the file.
    reader = csv.reader(text, delimiter=dialect.delimiter, strict=True)
    start = 1
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                yield Record(start, cells)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise FileRefused(f"Line {start}: {exc} (a quote opened and never closed?).") from exc
    finally:
        # Leaves the caller's file open (a generator closed after it: nothing to detach).
        with contextlib.suppress(ValueError):
            text.detach()


def _squash(header: str) -> str:
    return re.sub(r"[\s_\-.]+", "", header.strip().lower().lstrip("\ufeff"))


def auto_mapping(kind: str, header: list[str]) -> list[str]:
    """A target for each column, from its header name: a known column, else (contacts) a
    custom field of the same name, else ignored. Each known target is taken once."""
    taken: set[str] = set()
    mapping = []
    squashed = [_squash(name) for name in header]
    # A block list with a "phone" column and a "number" one: the number is the workspace's.
    numbers = set(BLOCK_NUMBER_ALIASES)
    if kind == BLOCK_LIST and any(k in ALIASES[PHONE] - {"number"} for k in squashed):
        numbers.add("number")
    for name, key in zip(header, squashed, strict=True):
        target = IGNORE
        if kind == BLOCK_LIST and key in numbers:
            target = NUMBER
        else:
            for candidate, names in ALIASES.items():
                if key in names and candidate in TARGETS[kind] and candidate not in taken:
                    target = candidate
                    break
        if target == IGNORE and kind == CONTACTS and name.strip():
            try:
                target = FIELD_PREFIX + normalize_field_name(name)
            except ValueError:
                target = IGNORE
        if target != IGNORE:
            taken.add(target)
        mapping.append(target)
    return mapping


def check_mapping(kind: str, header: list[str], mapping: list[str]) -> list[str]:
    """The mapping of each column, checked: known targets once each, a phone column."""
    if len(mapping) != len(header):
        raise ValueError(f"Map each of the {len(header)} columns (or ignore it).")
    seen: set[str] = set()
    for target in mapping:
        if target.startswith(FIELD_PREFIX) and kind == CONTACTS:
            normalize_field_name(target[len(FIELD_PREFIX) :])
        elif target not in TARGETS[kind]:
            raise ValueError(f"{target!r} is not something a column can be imported as.")
        if target != IGNORE and target in seen:
            raise ValueError(f"Two columns are mapped to {target}.")
        seen.add(target)
    if PHONE not in seen:
        raise ValueError("Pick the column that holds the phone numbers.")
    return mapping


@dataclass
class Row:
    """One row, understood: a contact's values, or the reason it is refused."""

    line: int
    phone: str = ""
    name: str | None = None  # None: the file says nothing about the name
    tags: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)
    consent_source: str = ""
    consent_date: datetime | None = None
    consent_text: str = ""
    number: str = ""  # block list: the workspace number it was made on
    reason: str = ""
    error: str = ""


_NANP_E164 = re.compile(r"\+1\d{10}")


def e164(raw: str) -> str:
    """`compliance_center.phone.to_e164`, with a short cut for a North American number already
    in E.164 (most rows of an export): the same validity check on the parsed number, without
    the parsing (a third of the time, measured on a million rows). InvalidNumber otherwise."""
    if _NANP_E164.fullmatch(raw):
        number = phonenumbers.PhoneNumber(country_code=1, national_number=int(raw[2:]))
        if phonenumbers.is_valid_number(number):
            return raw
        raise InvalidNumber(f"{raw!r} is not a valid phone number")
    return to_e164(raw)


_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%m/%d/%Y", "%d.%m.%Y")


def parse_date(raw: str) -> datetime:
    text = raw.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        for fmt in _DATE_FORMATS:
            try:
                parsed = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        else:
            raise ValueError(
                f"{raw!r} is not a date (2025-03-01, or 2025-03-01T09:30:00Z)"
            ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def understand(kind: str, mapping: list[str], record: Record) -> Row:
    """What one row says, or why it cannot be imported (`error`)."""
    row = Row(record.line)
    values: dict[str, str] = {}
    for target, cell in zip(mapping, record.cells, strict=False):
        if target != IGNORE:
            values[target] = cell.strip()
    if len(record.cells) > len(mapping) and any(c.strip() for c in record.cells[len(mapping) :]):
        row.error = f"{len(record.cells)} cells, the header has {len(mapping)}"
        return row
    too_long = next((t for t, v in values.items() if len(v) > MAX_CELL), None)
    if too_long:
        row.error = f"{too_long}: longer than {MAX_CELL} characters"
        return row
    if any("\x00" in v for v in values.values()):
        row.error = "a cell holds a NUL character"
        return row
    raw_phone = values.get(PHONE, "")
    if not raw_phone:
        row.error = "no phone number"
        return row
    try:
        row.phone = e164(raw_phone)
    except InvalidNumber:
        row.error = f"invalid number: {raw_phone[:40]!r}"
        return row
    if NAME in values:
        row.name = values[NAME]
    elif FIRST_NAME in values or LAST_NAME in values:
        row.name = " ".join(p for p in (values.get(FIRST_NAME), values.get(LAST_NAME)) if p)
    if row.name is not None and len(row.name) > 200:
        row.error = "name: longer than 200 characters"
        return row
    if kind == BLOCK_LIST:
        row.number = values.get(NUMBER, "")
        if row.number:
            try:
                row.number = to_e164(row.number)
            except InvalidNumber:
                row.error = f"unknown number: {row.number[:40]!r} is not a phone number"
                return row
        row.reason = values.get(REASON, "")[:1000]
        return row
    try:
        row.tags = split_tags(values.get(TAGS, ""))
    except ValueError as exc:
        row.error = f"tags: {exc}"
        return row
    for target, value in values.items():
        if target.startswith(FIELD_PREFIX) and value:
            if len(value) > MAX_VALUE_LENGTH:
                row.error = f"{target[len(FIELD_PREFIX) :]}: longer than {MAX_VALUE_LENGTH}"
                return row
            row.fields[target[len(FIELD_PREFIX) :]] = value
    source = values.get(CONSENT_SOURCE, "").lower().replace(" ", "_").replace("-", "_")
    date, text = values.get(CONSENT_DATE, ""), values.get(CONSENT_TEXT, "")
    if source or date or text:
        if source not in CONSENT_SOURCES:
            row.error = (
                f"unknown consent source {values.get(CONSENT_SOURCE, '')[:40]!r}: one of "
                + ", ".join(CONSENT_SOURCES)
            )
            return row
        if not text:
            row.error = "consent without its evidence: the text the contact saw is empty"
            return row
        if date:
            try:
                row.consent_date = parse_date(date)
            except ValueError as exc:
                row.error = f"consent date: {exc}"
                return row
        row.consent_source, row.consent_text = source, text[:1000]
    return row
