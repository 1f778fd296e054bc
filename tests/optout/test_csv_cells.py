"""The CSV writer's formula rule (OWASP "CSV Injection"), pure: which cells get a leading `'`."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from optout.exports import FORMULA_TRIGGERS, neutralize_cell


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("\x00=1", "'\x00=1"),
        ("-", "'-"),
        ("+", "'+"),
        ("+1 415 555 0123", "'+1 415 555 0123"),  # not one number: Excel's space operator
        ("+14155550100 +14155550101", "'+14155550100 +14155550101"),
        ("-5\n=1+1", "'-5\n=1+1"),  # a number, then a formula on the next line
        ("+١٢٣", "'+١٢٣"),  # digits, but not ASCII ones
        # plain numbers carry no formula: written as they are
        ("+14155550123", "+14155550123"),
        ("-5", "-5"),
        ("-5.25", "-5.25"),
        ("+0", "+0"),
        # nothing to neutralise
        ("Stop.", "Stop."),
        ("", ""),
        ("a=1", "a=1"),
        (" =1+1", " =1+1"),
        ("2024-05-01T10:00:00+00:00", "2024-05-01T10:00:00+00:00"),
    ],
)
def test_neutralize_cell(cell, written):
    assert neutralize_cell(cell) == written


def test_neutralize_cell_values_that_are_not_text():
    assert neutralize_cell(None) == ""
    assert neutralize_cell(-5) == "-5"
    assert neutralize_cell(3) == "3"


@given(st.sampled_from(sorted(FORMULA_TRIGGERS)), st.text())
def test_a_trigger_first_is_always_neutralised_unless_a_plain_number(trigger, rest):
    cell = trigger + rest
    written = neutralize_cell(cell)
    if written == cell:
        assert trigger in "+-" and rest.isascii() and rest.replace(".", "", 1).isdigit()
    else:
        assert written == "'" + cell


@given(st.text())
def test_neutralize_cell_only_ever_prefixes(cell):
    written = neutralize_cell(cell)
    assert written in (cell, "'" + cell)
    assert not written or written[0] not in FORMULA_TRIGGERS or written == cell
