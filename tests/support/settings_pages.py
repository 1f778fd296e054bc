"""Helpers for the tests of the Settings and account pages: the page's text, the errors shown at
a field, and the link of the invitation email."""

import re
from html import unescape

from django.core import mail


def text(response) -> str:
    return unescape(response.content.decode())


def words(response) -> str:
    """The page's words as a person reads them: no tags, one space between words."""
    spaced = " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())
    return re.sub(r" ([,.;:!?])", r"\1", spaced)


def field_errors(response, field: str) -> str:
    """The error list shown under the field `field` (its `id_<field>_errors` element)."""
    match = re.search(
        rf'id="id_{re.escape(field)}_errors"[^>]*>(.*?)</ul>', response.content.decode(), re.S
    )
    return unescape(re.sub(r"<[^>]+>", " ", match.group(1))).strip() if match else ""


def emailed_link(to: str) -> str:
    """The invitation link in the last email sent to `to`."""
    sent = [m for m in mail.outbox if to in m.to]
    assert sent, f"no email to {to}"
    match = re.search(r"https?://\S+/invitations/\S+/", sent[-1].body)
    assert match, sent[-1].body
    return match.group(0)


def token_of(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[1]
