"""Reading server-rendered pages and CSV downloads in tests."""

import csv
import html
import io
import re


def text(response) -> str:
    """The page's visible-ish text: tags stripped, whitespace collapsed."""
    stripped = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(stripped))


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
