"""What kind of sending number a workspace's number is, for carrier registration (A2P 10DLC,
toll-free verification, short codes), and the throughput each kind gets by default.
Pure: no database, no I/O."""

import re
from dataclasses import dataclass

import phonenumbers

from compliance_center.phone import InvalidNumber

TEN_DLC = "10dlc"  # a US or Canadian long code: registered as A2P 10DLC
TOLL_FREE = "toll_free"  # a NANP toll-free number: toll-free verification
SHORT_CODE = "short_code"  # a 5–6 digit US/Canadian short code: its own carrier approval
OTHER = "other"  # a long code outside the US and Canada: that country's rules
NUMBER_TYPES = (TEN_DLC, TOLL_FREE, SHORT_CODE, OTHER)

# The NANP toll-free area codes in service. 822, 880–887 and 889 are reserved for toll-free
# growth: add them here when they open.
TOLL_FREE_AREA_CODES = frozenset({"800", "833", "844", "855", "866", "877", "888"})
_LONG_CODE_REGIONS = frozenset({"US", "CA"})
_SHORT_CODE = re.compile(r"\d{5,6}")

# Messages per second a number of each kind gets before any carrier raises it (a 10DLC
# campaign's trust score, a toll-free verification or a short code's contract can).
DEFAULT_MESSAGES_PER_SECOND = {TEN_DLC: 1, TOLL_FREE: 3, SHORT_CODE: 100, OTHER: 1}


@dataclass(frozen=True)
class NumberProfile:
    """A sending number's kind and its default throughput."""

    number_type: str
    messages_per_second: int


def number_type(e164: str) -> str:
    """The kind of a sending number: `short_code` for 5–6 digits ("12345"), `toll_free` for
    +1 800/833/844/855/866/877/888, `10dlc` for any other US or Canadian number, `other` for a
    number elsewhere (including the Caribbean members of the NANP). InvalidNumber (a
    ValueError) for anything that is not a valid number."""
    text = e164.strip()
    if _SHORT_CODE.fullmatch(text):
        return SHORT_CODE
    try:
        parsed = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException as exc:
        raise InvalidNumber(f"{e164!r} is not a phone number in E.164 form") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidNumber(f"{e164!r} is not a valid phone number")
    if parsed.country_code == 1:
        national = phonenumbers.national_significant_number(parsed)
        if national[:3] in TOLL_FREE_AREA_CODES:
            return TOLL_FREE
        if phonenumbers.region_code_for_number(parsed) in _LONG_CODE_REGIONS:
            return TEN_DLC
    return OTHER


def default_messages_per_second(kind: str) -> int:
    """The default throughput of a kind of number (ValueError for an unknown kind)."""
    try:
        return DEFAULT_MESSAGES_PER_SECOND[kind]
    except KeyError:
        raise ValueError(f"{kind!r} is not a number type: one of {NUMBER_TYPES}") from None


def number_profile(e164: str) -> NumberProfile:
    """A sending number's kind and default throughput together."""
    kind = number_type(e164)
    return NumberProfile(number_type=kind, messages_per_second=default_messages_per_second(kind))
