"""What kind of sending number a number is (workspaces/number_types.py), for carrier
registration, and its default throughput. No database."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compliance_center.phone import InvalidNumber
from workspaces.number_types import (
    NUMBER_TYPES,
    OTHER,
    SHORT_CODE,
    TEN_DLC,
    TOLL_FREE,
    TOLL_FREE_AREA_CODES,
    NumberProfile,
    default_messages_per_second,
    number_profile,
    number_type,
)


@pytest.mark.parametrize(
    "number",
    [
        "+14155550100",  # San Francisco
        "+12125550123",  # New York
        "+13055550100",  # Miami
        "+19155550100",  # El Paso
        "+16135550123",  # Ottawa: Canada
        "+14165550123",  # Toronto
        "+16045550123",  # Vancouver
    ],
)
def test_us_and_canadian_long_codes_are_10dlc(number):
    assert number_type(number) == TEN_DLC


@pytest.mark.parametrize("npa", sorted(TOLL_FREE_AREA_CODES))
def test_every_nanp_toll_free_area_code(npa):
    assert number_type(f"+1{npa}2345678") == TOLL_FREE


def test_the_toll_free_area_codes_are_the_seven_in_service():
    assert {"800", "833", "844", "855", "866", "877", "888"} == TOLL_FREE_AREA_CODES


@pytest.mark.parametrize("code", ["12345", "98765", "123456", "567890", " 22395 "])
def test_five_and_six_digit_short_codes(code):
    assert number_type(code) == SHORT_CODE


@pytest.mark.parametrize(
    "number",
    [
        "+447911123456",  # UK mobile
        "+33612345678",  # France
        "+4915123456789",  # Germany
        "+61412345678",  # Australia
        "+525512345678",  # Mexico
        "+18762345678",  # Jamaica: in the NANP, not the US or Canada
    ],
)
def test_long_codes_elsewhere_are_other(number):
    assert number_type(number) == OTHER


@pytest.mark.parametrize(
    "text",
    ["", "1234", "1234567", "abc", "+1800", "+15555550100", "+999123456", "4155550100"],
)
def test_anything_else_is_not_a_sending_number(text):
    with pytest.raises(InvalidNumber):
        number_type(text)


def test_default_throughput_by_type():
    assert default_messages_per_second(TEN_DLC) == 1
    assert default_messages_per_second(TOLL_FREE) == 3
    assert default_messages_per_second(SHORT_CODE) == 100
    assert default_messages_per_second(OTHER) == 1
    with pytest.raises(ValueError):
        default_messages_per_second("pager")


def test_a_numbers_profile():
    assert number_profile("+18005550100") == NumberProfile(TOLL_FREE, 3)
    assert number_profile("12345") == NumberProfile(SHORT_CODE, 100)
    assert number_profile("+14155550100") == NumberProfile(TEN_DLC, 1)


@given(st.text(max_size=30))
def test_any_text_is_a_known_type_or_invalid(text):
    try:
        kind = number_type(text)
    except ValueError:
        return
    assert kind in NUMBER_TYPES
    assert default_messages_per_second(kind) >= 1
