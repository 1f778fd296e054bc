"""Content rules (optout/content.py): SHAFT-C categories found by the lexicon, whole words only,
whatever the case, width or accents; the idioms and tools that must never trigger; each
category's action; the spam warnings that never block. No database."""

import json
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optout.content import (
    ALL_CAPS,
    CATEGORIES,
    EXCESSIVE_PUNCTUATION,
    URL_SHORTENER,
    ContentDecision,
    allowed_phrases,
    content_decision,
    detect,
    fold,
    lexicon_terms,
    spam_warnings,
)

TERMS = lexicon_terms()
ALL_TERMS = [(category, term) for category, terms in TERMS.items() for term in terms]
RAW = json.loads((resources.files("optout") / "data" / "shaftc_lexicon.json").read_text())
SHORTENERS = RAW["url_shorteners"]


def categories(body: str) -> set[str]:
    return {hit.category for hit in detect(body)}


# --- the lexicon ---------------------------------------------------------------------------------


def test_the_lexicon_has_every_category_with_tens_of_terms():
    assert tuple(TERMS) == CATEGORIES
    for category, terms in TERMS.items():
        assert len(terms) >= 30, category
        assert len(set(terms)) == len(terms), category


def test_no_term_belongs_to_two_categories():
    seen: dict[str, str] = {}
    for category, term in ALL_TERMS:
        assert term not in seen, (term, seen.get(term), category)
        seen[term] = category


@pytest.mark.parametrize(("category", "term"), ALL_TERMS, ids=[t for _, t in ALL_TERMS])
def test_every_term_triggers_its_category_in_a_sentence(category, term):
    hits = detect(f"Ask us about {term} today.")
    assert [(h.category, h.term) for h in hits] == [(category, term)]
    assert hits[0].text == term


@pytest.mark.parametrize(("category", "term"), ALL_TERMS, ids=[t for _, t in ALL_TERMS])
def test_no_term_triggers_inside_a_longer_word(category, term):
    assert detect(f"zz{term}zz") == []


@pytest.mark.parametrize(("category", "term"), ALL_TERMS, ids=[t for _, t in ALL_TERMS])
def test_every_term_triggers_in_capitals(category, term):
    assert category in categories(term.upper())


@pytest.mark.parametrize("phrase", allowed_phrases())
def test_allowed_words_and_phrases_never_trigger(phrase):
    assert detect(phrase) == []
    assert detect(f"Hello! {phrase.upper()}, see you soon.") == []


# --- per category: what triggers and what must not ----------------------------------------------

POSITIVES = {
    "sex": [
        "Hot singles in your area want to meet you",
        "Sexy lingerie 50% off tonight",
        "New nudes every day, subscribe now",
        "Book an escort service for tonight",
        "Sex toys shipped discreetly",
        "Visit our strip club this Friday",
        "Follow me on OnlyFans",
    ],
    "hate": [
        "White power rally this weekend",
        "Join the Ku Klux Klan",
        "Sieg heil, brothers",
        "No wetbacks allowed",
    ],
    "alcohol": [
        "Happy hour 4-7pm: $3 beers and $5 margaritas!",
        "Wine tasting this Saturday at the winery",
        "Bottomless mimosas at brunch",
        "Craft beer festival tickets",
        "Vodka, whiskey and tequila 20% off at our liquor store",
        "Get a free cocktail with dinner",
    ],
    "firearms": [
        "Gun show this weekend at the fairgrounds",
        "Rifles, shotguns and ammo in stock",
        "AR-15 sale: lowest prices",
        "Concealed carry class Saturday",
        "New Glock pistols just arrived",
        "Smith & Wesson revolvers on sale",
    ],
    "tobacco": [
        "New vape flavors in stock",
        "Cigarettes and cigars at the lowest prices",
        "Disposable vapes 2 for $20",
        "E-liquid and nic salts restocked",
        "Hookah lounge open late",
        "Zyn nicotine pouches available",
    ],
    "cannabis": [
        "Weed delivery in 30 minutes",
        "CBD oil and THC gummies",
        "Visit our dispensary for 420 friendly deals",
        "Delta-8 edibles back in stock",
        "Medical marijuana cards renewed",
        "Hemp flower and pre-rolls 15% off",
    ],
}

NEGATIVES = {
    "sex": [
        "Our Essex, Sussex and Middlesex stores open at 9",
        "Classic bass lessons: assess your skills with a compass",
        "Assassin's Creed pre-orders are open",
        "Sex education evening for parents on Thursday",
        "Visible to the naked eye",
        "Nude nail polish 20% off",
        "Naked wings special tonight",
        "Police escort for the parade route",
        "The sextet plays at 8",
        "Scunthorpe United tickets on sale",
        "Wire strippers and paint stripper in aisle 9",
        "Concrete vibrator rental",
    ],
    "hate": [
        "Spic and Span floor cleaner in aisle 5",
        "Our Maine Coon kittens are ready for adoption",
        "Finally a chink in the armor of their defense",
        "Spicy wings tonight",
        "Raccoon removal service",
        "Flame retardant fabrics in stock",
        "He had begun to snigger",
        "Coon hound show on Saturday",
    ],
    "alcohol": [
        "Root beer floats for the kids",
        "Ginger beer and lemonade",
        "Cocktail dresses on sale this week",
        "Shrimp cocktail appetizer with every entree",
        "Stock up on rubbing alcohol and alcohol wipes",
        "Alcohol-free hand sanitizer restocked",
        "Gin rummy night at the senior center",
        "Wine red sweaters are back",
        "Drunk driving awareness week",
        "New wineglasses and gingerbread",
        "Hi Margarita, your appointment is at 3pm",
        "Meet us on Bourbon Street",
    ],
    "firearms": [
        "Glue guns and staple guns 20% off",
        "Shotgun start at 8am for the golf scramble",
        "A shotgun wedding in Vegas",
        "Riding shotgun to the game",
        "Don't jump the gun on the sale",
        "Massage guns restocked",
        "Pistol squats workshop tonight",
        "Top Gun tickets available",
        "Water pistols for the pool party",
        "We have begun the renovation",
        "Pistol grip drills in stock",
        "Our Rifle, Colorado branch is open",
    ],
    "tobacco": [
        "Is your resume up to snuff?",
        "Nicotine patches available at the pharmacy counter",
        "We are a tobacco-free campus",
        "Vapor barrier installation for crawl spaces",
        "Visit our Marlboro, NJ office",
    ],
    "cannabis": [
        "Weed control service for your lawn",
        "Weed killer on sale this week",
        "Horny goat weed supplement",
        "Fresh dill weed in the produce aisle",
        "Pre-roll ads for your next campaign",
        "Seaweed snacks and tumbleweed decor",
        "Time to pull the weeds",
        "Hemp rope and twine",
    ],
}


@pytest.mark.parametrize(
    ("category", "body"), [(c, b) for c, bodies in POSITIVES.items() for b in bodies]
)
def test_realistic_texts_trigger_their_category(category, body):
    assert category in categories(body)


@pytest.mark.parametrize(
    ("category", "body"), [(c, b) for c, bodies in NEGATIVES.items() for b in bodies]
)
def test_innocent_texts_trigger_nothing(category, body):
    assert detect(body) == []


def test_naming_a_product_to_ban_it_still_names_it():
    # No lexicon reads intent: a "cigarette-free zone" triggers, and a workspace that sends such
    # notices sets tobacco to warn.
    assert categories("Cigarette-free zone") == {"tobacco"}
    assert content_decision("Cigarette-free zone", {"tobacco": "warn"}).blocked_category is None


# --- folding: case, width, accents, invisible characters ----------------------------------------


@pytest.mark.parametrize(
    ("body", "category"),
    [
        ("SEX", "sex"),
        ("Sex", "sex"),
        ("ｓｅｘ", "sex"),  # fullwidth
        ("Ésçort", "sex"),  # accents
        ("e\u0301scort", "sex"),  # a combining accent
        ("VÓDKA", "alcohol"),
        ("Ｖａｐｅ", "tobacco"),
        ("WEED", "cannabis"),
        ("ǤUN", None),  # a different letter, not an accent: no hit
        ("s\u200bex", "sex"),  # a zero-width space inside
        ("ma\u00adrijuana", "cannabis"),  # a soft hyphen inside
        ("ＴＨＣ", "cannabis"),
    ],
)
def test_case_width_and_accents_do_not_hide_a_term(body, category):
    assert categories(body) == ({category} if category else set())


def test_fold_keeps_track_of_where_each_character_came_from():
    folded, origin = fold("Ｃａｆé ß")
    assert folded == "cafe ss"
    assert origin == (0, 1, 2, 3, 4, 5, 5)


def test_spans_point_into_the_body_as_written():
    body = "¡Hola! Ｂｅｅｒ y e\u0301scort — 🍺 VÓDKA"
    hits = detect(body)
    assert [(h.term, h.text) for h in hits] == [
        ("beer", "Ｂｅｅｒ"),
        ("escort", "e\u0301scort"),
        ("vodka", "VÓDKA"),
    ]
    for hit in hits:
        start, end = hit.span
        assert body[start:end] == hit.text


# --- word boundaries and phrases ----------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    ["Essex", "Sussex", "assassin", "classic", "Scunthorpe", "begun", "gunner", "vaporware"],
)
def test_a_term_inside_a_longer_word_does_not_match(body):
    assert detect(body) == []


@pytest.mark.parametrize(
    "body",
    [
        "happy hour",
        "happy   hour",
        "happy-hour",
        "happy\nhour",
        "HAPPY...HOUR",
        "happy_hour",
        "happy 🍻 hour",
    ],
)
def test_a_phrases_words_may_be_separated_by_any_spaces_or_punctuation(body):
    assert [(h.category, h.term) for h in detect(body)] == [("alcohol", "happy hour")]


@pytest.mark.parametrize("body", ["e-cig", "ecig", "e cig", "E-CIG", "e–cig"])
def test_a_hyphen_inside_a_term_is_optional(body):
    assert [h.term for h in detect(body)] == ["e-cig"]


def test_the_longest_term_wins_at_one_place():
    assert [h.term for h in detect("New sex toys")] == ["sex toys"]
    assert [h.term for h in detect("Vape pens")] == ["vape pens"]


def test_an_allowed_phrase_hides_only_its_own_words():
    hits = detect("Cocktail dresses on sale, and cocktails at the party")
    assert [(h.term, h.text) for h in hits] == [("cocktails", "cocktails")]


def test_each_place_and_category_is_reported_once():
    hits = detect("beer beer BEER")
    assert [h.span for h in hits] == [(0, 4), (5, 9), (10, 14)]


# --- obfuscation basics --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "term"),
    [
        ("s3x tonight", "sex"),
        ("v@pe shop", "vape shop"),
        ("b33r", "beer"),
        ("c1garettes", "cigarettes"),
        ("w33d", "weed"),
        ("a$$", "ass"),
        ("V4PE", "vape"),
    ],
)
def test_digits_and_symbols_standing_for_letters(body, term):
    hits = detect(body)
    assert [h.term for h in hits] == [term]
    assert hits[0].span[0] == 0


@pytest.mark.parametrize(
    "body", ["$420 off", "Call 555-1234", "Meet at 4pm", "1st place", "Only $5", "Room 7A"]
)
def test_numbers_alone_are_not_read_as_letters(body):
    assert detect(body) == []


# --- actions --------------------------------------------------------------------------------------


def test_a_category_blocks_by_default():
    decision = content_decision("Craft beer night!", {})
    assert decision == ContentDecision(
        blocked_category="alcohol", warnings=(), hits=tuple(detect("Craft beer night!"))
    )


def test_a_category_set_to_warn_does_not_block_but_warns():
    decision = content_decision("Craft beer night!", {"alcohol": "warn"})
    assert decision.blocked_category is None
    assert decision.warnings == ("content_alcohol",)
    assert [h.term for h in decision.hits] == ["craft beer"]


def test_a_category_set_to_allow_is_silent():
    decision = content_decision("Craft beer night!", {"alcohol": "allow"})
    assert decision == ContentDecision(blocked_category=None, warnings=(), hits=())


def test_the_first_blocking_category_in_the_text_is_named():
    decision = content_decision("Free gun raffle with every beer", {})
    assert decision.blocked_category == "firearms"
    decision = content_decision("Free gun raffle with every beer", {"firearms": "warn"})
    assert decision.blocked_category == "alcohol"
    assert decision.warnings == ("content_firearms",)


def test_an_unknown_action_counts_as_block():
    assert content_decision("vape", {"tobacco": "maybe"}).blocked_category == "tobacco"


def test_a_clean_text_passes_with_no_warning():
    assert content_decision("Your appointment is at 3pm tomorrow.", {}) == ContentDecision(
        blocked_category=None, warnings=(), hits=()
    )


def test_spam_triggers_warn_and_never_block():
    decision = content_decision("HUGE SALE TODAY ONLY!!! https://bit.ly/x", {})
    assert decision.blocked_category is None
    assert decision.warnings == (URL_SHORTENER, ALL_CAPS, EXCESSIVE_PUNCTUATION)


def test_spam_and_category_warnings_together():
    decision = content_decision("HAPPY HOUR AT THE BAR TONIGHT!!!", {"alcohol": "warn"})
    assert decision.warnings == (ALL_CAPS, EXCESSIVE_PUNCTUATION, "content_alcohol")


# --- url_shortener ------------------------------------------------------------------------------


@pytest.mark.parametrize("host", SHORTENERS)
def test_every_listed_shortener_warns(host):
    assert URL_SHORTENER in spam_warnings(f"See https://{host}/abc123 for details")
    assert URL_SHORTENER in spam_warnings(f"See {host}/abc123")
    assert URL_SHORTENER in spam_warnings(f"See {host.upper()}/ABC")


@pytest.mark.parametrize(
    "body",
    [
        "See https://example.com/deals",
        "Our bitly account",  # a word, not a host
        "notbit.ly/x",
        "https://t.com/x",
        "https://example.com/t.co",  # in a path
        "bit.ly.example.com/x",
        "write to sales@bit.ly",  # an email domain, not a link
        "https://youtu.be/abc",  # a brand's own shortener
    ],
)
def test_other_links_and_words_are_not_shorteners(body):
    assert URL_SHORTENER not in spam_warnings(body)


def test_shortener_with_www_and_in_full_width():
    assert URL_SHORTENER in spam_warnings("www.tinyurl.com/abc")
    assert URL_SHORTENER in spam_warnings("ｂｉｔ．ｌｙ/abc")


# --- all_caps -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "BIG SALE TODAY ONLY FOLKS",
        "URGENT: YOUR ACCOUNT NEEDS ATTENTION",
        "FLASH SALE 50% OFF EVERYTHING. Reply STOP to opt out",
        "HELLO THERE, YOUR ORDER IS READY",
        "ＦＲＥＥ ＧＩＦＴＳ ＴＯＤＡＹ",  # full width
        "ΠΡΟΣΦΟΡΑ ΜΟΝΟ ΣΗΜΕΡΑ",  # Greek capitals count too
        "WINNER WINNER TONIGHT AT SEVEN chicken",  # 77 % of the letters are capitals
    ],
)
def test_mostly_capital_texts_warn(body):
    assert ALL_CAPS in spam_warnings(body)


def test_all_caps_thresholds():
    assert ALL_CAPS in spam_warnings("ABCDEFG abc")  # 10 letters, 70 % capitals
    assert ALL_CAPS not in spam_warnings("ABCDEF abcd")  # 60 %
    assert ALL_CAPS not in spam_warnings("ABCDEFGHI")  # 9 letters: too short to tell
    assert ALL_CAPS in spam_warnings("ABCDEFGHIJ")


@pytest.mark.parametrize(
    "body",
    [
        "OK",
        "OK!",
        "Your order has shipped!",
        "Thanks, see you at 5 PM. Reply STOP to opt out",
        "STOP",
        "HELP",
        "Reply STOP to opt out",
        "REPLY STOP TO OPT OUT. MSG&DATA RATES MAY APPLY",
        "Hi Ann, the USA office (HQ) is open until 6 PM EST",
        "BIG SALE NOW",  # shouting, but too short to tell
        "Details: HTTPS://EXAMPLE.COM/SUMMER-SALE-TODAY",
        "你好世界你好世界你好世界你好世界",  # no capitals in this script
        "Our NEW store opens Monday at the mall",
        "1234567890 !!",
    ],
)
def test_normal_texts_short_acronyms_and_opt_out_wording_do_not_warn(body):
    assert ALL_CAPS not in spam_warnings(body)


# --- excessive_punctuation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "body", ["Wow!!!", "Really???", "Win $$$", "What!?!", "No way?!?", "Deal!!?", "Sale！！！"]
)
def test_runs_of_three_or_more_warn(body):
    assert EXCESSIVE_PUNCTUATION in spam_warnings(body)


@pytest.mark.parametrize(
    "body",
    ["Great!", "Really?!", "$5 off", "What?? ok", "Wait...", "$$ savings", "Is it 5? Or 6!"],
)
def test_ordinary_punctuation_does_not_warn(body):
    assert EXCESSIVE_PUNCTUATION not in spam_warnings(body)


# --- anything at all ----------------------------------------------------------------------------

_any_text = st.text(
    alphabet=st.characters(codec=None, exclude_categories=()), max_size=300
) | st.text(alphabet=st.sampled_from("aAsSeExX3$@!?. -_\u200b\u0301ｓ🍺😀👨‍👩‍👧"), max_size=60)


@settings(max_examples=400, deadline=None)
@given(body=_any_text)
def test_any_text_of_any_script_never_raises_and_spans_are_exact(body):
    for hit in detect(body):
        start, end = hit.span
        assert 0 <= start < end <= len(body)
        assert body[start:end] == hit.text
        assert hit.category in CATEGORIES
    warnings = spam_warnings(body)
    assert set(warnings) <= {URL_SHORTENER, ALL_CAPS, EXCESSIVE_PUNCTUATION}
    decision = content_decision(body, {"alcohol": "warn", "cannabis": "allow"})
    assert decision.blocked_category in (None, *CATEGORIES)


# Text with no letter or digit: it cannot extend a term into a longer word or an allowed phrase.
_no_words = st.text(
    alphabet=st.characters(codec=None, exclude_categories=("L", "M", "N", "Cs")), max_size=80
)


@settings(max_examples=300, deadline=None)
@given(before=_no_words, after=_no_words, pick=st.sampled_from(ALL_TERMS))
def test_a_term_is_found_where_it_was_put_whatever_symbols_surround_it(before, after, pick):
    category, term = pick
    body = f"{before} {term} {after}"
    start = len(before) + 1
    hits = [h for h in detect(body) if h.category == category]
    assert [(h.term, h.span) for h in hits] == [(term, (start, start + len(term)))]
