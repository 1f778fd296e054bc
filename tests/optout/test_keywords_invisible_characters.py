"""Invisible characters never hide a keyword (optout.keywords, pure): a text an agent reads as
"STOP" is an opt-out even with zero-width spaces, joiners, soft hyphens or a byte-order mark in
it. Unicode format characters (category Cf) are dropped before matching."""

import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from optout.defaults import BUILTIN_KEYWORDS
from optout.keywords import KeywordRule, could_be_keyword, is_valid_keyword, match, normalize

RULES = [KeywordRule(kind, word) for kind, words in BUILTIN_KEYWORDS.items() for word in words]
KEYWORDS = sorted(w for words in BUILTIN_KEYWORDS.values() for w in words)
FORMAT_CHARACTERS = [
    chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"
]


@pytest.mark.parametrize(
    "body",
    [
        "S\u200bTOP",  # zero-width space
        "ST\u200dOP",  # zero-width joiner
        "S\u200cTOP",  # zero-width non-joiner
        "S\u00adTOP",  # soft hyphen
        "\ufeffSTOP",  # byte-order mark / zero-width no-break space
        "S\u2060T\u2060O\u2060P",  # word joiners
        "STO\u200eP",  # left-to-right mark
        "\u202eSTOP\u202c",  # right-to-left override, pop
        "S\U000e0074TOP",  # a tag character
        " S\u200bT\u200bO\u200bP! ",
        "ＳＴ\u200bＯＰ",  # fullwidth and zero-width together
        "Opt\u200b-\u200bOut",
    ],
)
def test_format_characters_inside_a_stop_do_not_hide_it(body):
    found = match(body, RULES)
    assert found is not None and found.kind == "opt_out", body


def test_normalize_drops_format_characters_and_keeps_the_other_rules():
    assert normalize("S\u200bTOP") == "stop"
    assert normalize("\ufeff  Opt-\u00adOut!! ") == "optout"
    assert normalize("ＳＴＯ\u200dＰ") == "stop"
    assert normalize("\u200b\u200d") == ""
    # only invisible: neither a keyword nor a possible one
    assert match("\u200b\u200b", RULES) is None
    assert not could_be_keyword("\u200b\ufeff")
    assert not is_valid_keyword("\u200b")


def test_format_characters_do_not_join_conversation_into_a_keyword():
    assert match("Can you s\u200btop by at 5?", RULES) is None
    assert match("STOP\u200bPED", RULES) is None


def test_every_format_character_is_known_to_the_test():
    assert "\u200b" in FORMAT_CHARACTERS and "\u00ad" in FORMAT_CHARACTERS
    assert len(FORMAT_CHARACTERS) > 150


@given(
    st.sampled_from(KEYWORDS),
    st.lists(st.tuples(st.integers(min_value=0), st.sampled_from(FORMAT_CHARACTERS)), max_size=6),
    st.booleans(),
)
def test_inserting_any_format_character_anywhere_still_matches(word, insertions, lower):
    body = word.lower() if lower else word
    for position, char in insertions:
        at = position % (len(body) + 1)
        body = body[:at] + char + body[at:]
    found = match(body, RULES)
    assert found is not None and found.rule.keyword == word, ascii(body)


@given(st.text(max_size=30), st.sampled_from(FORMAT_CHARACTERS), st.integers(min_value=0))
def test_a_format_character_never_changes_what_a_text_matches(text, char, position):
    at = position % (len(text) + 1)
    assert normalize(text[:at] + char + text[at:]) == normalize(text)


@pytest.mark.parametrize(
    "body",
    [
        "S\ufe0fTOP",  # variation selector 16
        "ST\u034fOP",  # combining grapheme joiner
        "STOP\U000e0100",  # variation selector supplement
        "S\u3164TOP",  # Hangul filler
        "S\uffa0TOP",  # halfwidth Hangul filler (NFKC: U+1160)
    ],
)
def test_other_default_ignorable_characters_do_not_hide_a_stop(body):
    found = match(body, RULES)
    assert found is not None and found.kind == "opt_out", ascii(body)


def test_an_accent_separated_by_an_invisible_character_still_composes():
    rules = [KeywordRule("opt_out", "ARRÊT", language="fr")]
    assert match("ARRE\u200b\u0302T", rules) is not None
    assert match("arret", rules) is not None  # and accents fold: one keyword
