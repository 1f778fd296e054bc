"""Streaming CSV downloads (block list, consent ledger): rows are written as they are read.

Every CSV the product writes goes through `stream_csv`, and every cell it writes through
`neutralize_cell` (OWASP "CSV Injection", ASVS 1.2.10): a spreadsheet opening the file must never
see a live formula in a contact's text, an agent's reason or a contact's name. A cell that starts
with `=`, `+`, `-`, `@`, a tab, a carriage return or a NUL is written with a leading single quote
(`'=HYPERLINK(…)`), which spreadsheets show as text.

The one exception: a cell that is entirely a plain number — an optional sign, ASCII digits, at
most one decimal point (`+14155550123`, `-5`, `-5.25`) — is written as it is. A spreadsheet reads
it as a number, never as a formula, and E.164 phone numbers, the exports' main column, must stay
exactly what the API returns. Anything more (`+1 415 555 0123`, `-2+3`, two numbers separated by a
space) is not a plain number and is neutralised.
"""

import csv
import re
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import StreamingHttpResponse

# The first characters a spreadsheet reads as the start of a formula (or hides one behind).
FORMULA_TRIGGERS = frozenset({"=", "+", "-", "@", "\t", "\r", "\x00"})
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


def neutralize_cell(value: Any) -> str:
    """The text a CSV cell is written with: `value` as text, with a leading `'` when it would
    start a formula, unless it is a plain number. `None` is an empty cell."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if text and text[0] in FORMULA_TRIGGERS and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class _Echo:
    """A file-like object whose write() hands the line back to the generator."""

    def write(self, value: str) -> str:
        return value


def stream_csv(
    filename: str, header: list[str], rows: Iterable[Iterable[Any]]
) -> StreamingHttpResponse:
    """A streamed `text/csv` download; every cell, the header's too, goes through
    `neutralize_cell`."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow([neutralize_cell(c) for c in header])
        for row in rows:
            yield writer.writerow([neutralize_cell(c) for c in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
