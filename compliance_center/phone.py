"""Phone number parsing to E.164 with `phonenumbers`, and their one display format. No I/O."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

import phonenumbers

DEFAULT_REGION = "US"


class InvalidNumber(ValueError):
    pass


@lru_cache(maxsize=4096)  # pure; a workspace's own numbers arrive with every webhook and send
def to_e164(raw: str, region: str = DEFAULT_REGION) -> str:
    """'(415) 555-0100' -> '+14155550100'; raises InvalidNumber for anything not dialable."""
    if not raw or len(raw) > 40:
        raise InvalidNumber(f"{raw!r} is not a phone number")
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidNumber(f"{raw!r} is not a phone number") from exc
    if not phonenumbers.is_possible_number(parsed) or not phonenumbers.is_valid_number(parsed):
        raise InvalidNumber(f"{raw!r} is not a valid phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


# The country whose numbers are shown in their national format ("(415) 555-0100" in a US
# workspace); numbers of other countries are shown in the international one. Set per request to
# the workspace's country (workspaces.middleware), as Django sets the time zone; unset (the API,
# tasks, the command line), every number is international.
_display_region: ContextVar[str] = ContextVar("display_region", default="")


def activate_display_region(region: str) -> None:
    _display_region.set((region or "").upper())


def deactivate_display_region() -> None:
    _display_region.set("")


@contextmanager
def display_region(region: str) -> Iterator[None]:
    token = _display_region.set((region or "").upper())
    try:
        yield
    finally:
        _display_region.reset(token)


@lru_cache(maxsize=4096)
def formatted(e164: str, region: str = "") -> str:
    """'+14155550100' -> '(415) 555-0100' for `region` "US", '+1 415-555-0100' for any other
    (or none); unparsable input (a short code, an alphanumeric sender) is returned as is."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if region and phonenumbers.region_code_for_number(parsed) == region:
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def pretty(e164: str) -> str:
    """A number for people to read: national for the display region's numbers (see above),
    international otherwise ('+44 20 7946 0958'). E.164 stays the format of data (CSV, API)."""
    return formatted(e164, _display_region.get())


def region_of(number: str, default: str = DEFAULT_REGION) -> str:
    """The country of an E.164 number, `default` when it has none."""
    return country_of(number) or default


@lru_cache(maxsize=4096)
def country_of(number: str) -> str:
    """The ISO 3166 alpha-2 country of an E.164 number ('+15145550100' -> 'CA'); '' when the
    number is not a phone number (short codes, alphanumeric senders) or has no single country."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return ""
    return phonenumbers.region_code_for_number(parsed) or ""


TOLL_FREE_NPAS = frozenset({"800", "833", "844", "855", "866", "877", "888"})


def is_toll_free(number: str) -> bool:
    """A North American toll-free number (+1 8XX of the toll-free area codes)."""
    return number.startswith("+1") and len(number) == 12 and number[2:5] in TOLL_FREE_NPAS
