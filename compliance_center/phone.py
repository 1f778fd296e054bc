"""Phone number parsing to E.164 with `phonenumbers`. No I/O."""

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


def pretty(e164: str) -> str:
    """'+14155550100' -> '+1 415-555-0100' for display; unparsable input is returned as is."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


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
