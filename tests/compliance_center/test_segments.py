"""Segment counting (messaging.segments): GSM-7 with its extension table, UCS-2 otherwise,
160/153 and 70/67 limits, and what an opt-out signature does to the count. No database."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compliance_center.segments import GSM7_BASIC, GSM7_EXTENSION, count
from optout.signature import apply

SIGNATURE = "Reply STOP to opt out."

gsm_basic_text = st.text(alphabet=sorted(GSM7_BASIC), max_size=700)
gsm_text = st.text(alphabet=sorted(GSM7_BASIC | GSM7_EXTENSION), max_size=700)
non_gsm_char = st.characters(
    blacklist_categories=("Cs",), blacklist_characters=GSM7_BASIC | GSM7_EXTENSION
)


# ---------------------------------------------------------------- GSM-7


def test_plain_english_is_gsm7_one_septet_per_character():
    info = count("Your table is ready. See you soon!")
    assert info.encoding == "GSM-7"
    assert info.units == 34
    assert info.segments == 1
    assert info.remaining == 160 - 34


@pytest.mark.parametrize("ch", sorted(GSM7_EXTENSION))
def test_an_extension_character_counts_twice(ch):
    info = count(f"price {ch}")
    assert info.encoding == "GSM-7"
    assert info.units == len("price ") + 2


def test_accented_letters_of_the_basic_table_stay_gsm7():
    assert count("Café à Zürich, señor Ñoño: ¿qué?").encoding == "GSM-7"


@pytest.mark.parametrize(
    "length, segments", [(0, 1), (1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3)]
)
def test_gsm7_limits_are_160_then_153_per_part(length, segments):
    info = count("a" * length)
    assert info.segments == segments
    assert info.per_segment == (160 if segments == 1 else 153)


def test_eighty_extension_characters_fill_exactly_one_segment():
    assert count("€" * 80).segments == 1
    assert count("€" * 80 + "a").segments == 2
    assert count("€" * 80 + "a").units == 161


# ---------------------------------------------------------------- UCS-2


def test_one_character_outside_gsm7_switches_the_whole_message_to_ucs2():
    info = count("Hello Zoë? no: Hello Łukasz")
    assert info.encoding == "UCS-2"
    assert info.units == len("Hello Zoë? no: Hello Łukasz")


def test_an_emoji_is_two_utf16_units():
    info = count("Thanks 🙂")
    assert info.encoding == "UCS-2"
    assert info.units == len("Thanks ") + 2


@pytest.mark.parametrize(
    "length, segments", [(1, 1), (70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)]
)
def test_ucs2_limits_are_70_then_67_per_part(length, segments):
    info = count("Ж" * length)
    assert info.encoding == "UCS-2"
    assert info.segments == segments
    assert info.per_segment == (70 if segments == 1 else 67)


def test_emojis_at_the_ucs2_boundary():
    assert count("🙂" * 35).segments == 1  # 70 units
    assert count("🙂" * 35 + "a").segments == 2  # 71 units


# ---------------------------------------------------------------- the signature's effect


def test_a_signature_pushes_a_full_gsm7_message_into_a_second_segment():
    body = "a" * 150
    assert count(body).segments == 1
    final = apply(body, SIGNATURE)
    assert final == body + "\n" + SIGNATURE
    assert count(final).units == 150 + 1 + len(SIGNATURE)
    assert count(final).segments == 2


def test_an_emoji_plus_the_signature_crosses_the_ucs2_limit():
    body = "See you at 5 🙂 " + "x" * 32  # 13 + 2 (emoji) + 1 + 32 = 48 UTF-16 units
    assert count(body).units == 48 and count(body).segments == 1
    final = count(apply(body, SIGNATURE))  # 48 + 1 (newline) + 22 = 71 > 70
    assert final.encoding == "UCS-2"
    assert final.units == 71 and final.segments == 2


def test_a_signature_with_an_extension_character_counts_it_twice():
    info = count(apply("Hi", "Opt out: reply STOP [free]"))
    assert info.units == 2 + 1 + len("Opt out: reply STOP [free]") + 2


# ---------------------------------------------------------------- properties


def _expected_segments(units: int, single: int, multi: int) -> int:
    return 1 if units <= single else math.ceil(units / multi)


@given(gsm_basic_text)
def test_basic_gsm_text_costs_one_septet_per_character(text):
    info = count(text)
    assert info.encoding == "GSM-7"
    assert info.units == len(text)
    assert info.segments == _expected_segments(len(text), 160, 153)


@given(gsm_text)
def test_gsm_units_count_extension_characters_twice(text):
    info = count(text)
    assert info.encoding == "GSM-7"
    assert info.units == len(text) + sum(ch in GSM7_EXTENSION for ch in text)


@given(st.text(max_size=300), non_gsm_char, st.text(max_size=300))
def test_any_non_gsm_character_means_ucs2_in_utf16_units(before, odd, after):
    text = before + odd + after
    info = count(text)
    assert info.encoding == "UCS-2"
    assert info.units == len(text.encode("utf-16-le")) // 2
    assert info.segments == _expected_segments(info.units, 70, 67)


@given(st.text(max_size=800))
def test_segments_always_hold_the_units(text):
    info = count(text)
    assert info.segments >= 1
    assert info.units + info.remaining == info.segments * info.per_segment
    assert 0 <= info.remaining <= info.per_segment


@given(gsm_basic_text)
def test_the_signature_never_lowers_the_count(body):
    assert count(apply(body, SIGNATURE)).segments >= count(body).segments
