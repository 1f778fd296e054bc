"""Keyword matching rules (optout.keywords): pure, no database."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from optout.defaults import BUILTIN_KEYWORDS
from optout.keywords import KeywordRule, is_valid_keyword, match, normalize

RULES = [KeywordRule(kind, word) for kind, words in BUILTIN_KEYWORDS.items() for word in words]


@pytest.mark.parametrize(
    "body, keyword",
    [
        ("STOP", "STOP"),
        ("stop", "STOP"),
        ("Stop.", "STOP"),
        (" stop ", "STOP"),
        ("STOP!!", "STOP"),
        ("ＳＴＯＰ", "STOP"),  # fullwidth letters, NFKC
        ("\tStop\n", "STOP"),
        ("«stop»", "STOP"),
        ("STOP ALL", "STOPALL"),
        ("stop-all", "STOPALL"),
        ("opt out", "OPTOUT"),
        ("Opt-Out", "OPTOUT"),
        ("OPT OUT!", "OPTOUT"),
        ("Unsubscribe", "UNSUBSCRIBE"),
        ("cancel", "CANCEL"),
        ("end", "END"),
        ("quit", "QUIT"),
        ("revoke", "REVOKE"),
        ("start", "START"),
        ("Yes!", "YES"),
        ("unstop", "UNSTOP"),
        ("help?", "HELP"),
        ("Info", "INFO"),
    ],
)
def test_variants_match_their_keyword(body, keyword):
    found = match(body, RULES)
    assert found is not None
    assert found.rule.keyword == keyword


@pytest.mark.parametrize(
    "body",
    [
        "Can you stop by at 5?",
        "STOPPED",
        "stop it please",
        "please stop",
        "nonstop",
        "start over",
        "I need help with my order",
        "",
        "   ",
        "!!!",
        "🛑",
        "S T O P P",
    ],
)
def test_conversation_does_not_match(body):
    assert match(body, RULES) is None


def test_opt_out_beats_opt_in_beats_help():
    rules = [
        KeywordRule("help", "ARRET"),
        KeywordRule("opt_in", "ARRET"),
        KeywordRule("opt_out", "ARRET"),
    ]
    assert match("arrêt".replace("ê", "e"), rules).kind == "opt_out"
    assert match("arret", rules[:2]).kind == "opt_in"
    assert match("arret", rules[:1]).kind == "help"


def test_custom_keyword_in_another_language_with_accents():
    rules = [*RULES, KeywordRule("opt_out", "ARRÊT", language="fr", reply_text="Désabonné.")]
    found = match("  Arrêt! ", rules)
    assert found.kind == "opt_out"
    assert found.rule.language == "fr"
    assert found.rule.reply_text == "Désabonné."
    assert match("arret", rules).rule.reply_text == "Désabonné."  # accents fold: one keyword


def test_rtl_and_emoji_bodies_are_conversation_unless_keyword():
    rules = [*RULES, KeywordRule("opt_out", "توقف")]
    assert match("توقف", rules).kind == "opt_out"
    assert match("توقف من فضلك", rules) is None


def test_surrounding_emoji_and_symbols_do_not_hide_a_stop():
    # Erring towards the opt-out is the safe side: "STOP 🛑" means stop.
    assert match("stop 🙏", RULES).kind == "opt_out"
    assert match("🛑 STOP 🛑", RULES).kind == "opt_out"
    assert match("stop 🙏 thanks", RULES) is None


def test_normalize():
    assert normalize("  Opt-Out!! ") == "optout"
    assert normalize("ＳＴＯＰ") == "stop"
    assert normalize("...") == ""


def test_is_valid_keyword():
    assert is_valid_keyword("SUBSCRIBE")
    assert is_valid_keyword("2stop")
    assert not is_valid_keyword("!!!")
    assert not is_valid_keyword("  ")


@given(
    st.sampled_from([w for words in BUILTIN_KEYWORDS.values() for w in words]),
    st.text(alphabet=" .!?,;:\t\n", max_size=4),
    st.text(alphabet=" .!?,;:\t\n", max_size=4),
    st.booleans(),
)
def test_surrounding_punctuation_and_case_never_matter(word, before, after, lower):
    body = before + (word.lower() if lower else word) + after
    found = match(body, RULES)
    assert found is not None and found.rule.keyword == word


@given(st.text(max_size=40))
def test_a_match_always_equals_a_keyword_after_normalisation(body):
    found = match(body, RULES)
    if found is not None:
        assert normalize(body) == normalize(found.rule.keyword)
