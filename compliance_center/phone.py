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
