"""Keyword matching: does an inbound text equal an opt-out, opt-in or help keyword?

Pure functions over plain values. A message matches a keyword when, after Unicode NFKC
normalisation, case-folding, dropping invisible characters, folding accents (ARRÊT = ARRET),
trimming surrounding whitespace and punctuation, and ignoring spaces and hyphens inside it, it
equals the keyword. Opt-out beats opt-in beats help.

Characters nobody sees are dropped first, wherever they are: Unicode format characters (category
Cf: zero-width space and joiners, soft hyphen, byte-order mark, bidi marks, tags…) and the other
default-ignorable code points (variation selectors, the combining grapheme joiner, Hangul
fillers). "S<U+200B>TOP" reads "STOP" on the agent's screen, so it is a STOP.
"""

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from .defaults import COUNTRY_PACKS, ENGLISH, LANGUAGE_PACKS, TOLL_FREE_OPT_IN

OPT_OUT = "opt_out"
OPT_IN = "opt_in"
HELP = "help"
PRECEDENCE = (OPT_OUT, OPT_IN, HELP)
MAX_KEYWORD_LENGTH = 64
_INNER_IGNORED = {" ", "-", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "_"}
# Default_Ignorable_Code_Point (Unicode DerivedCoreProperties.txt) outside category Cf.
_INVISIBLE_NOT_CF = frozenset(
    chr(c)
    for first, last in (
        (0x034F, 0x034F),  # combining grapheme joiner
        (0x115F, 0x1160),  # Hangul choseong / jungseong fillers
        (0x17B4, 0x17B5),  # Khmer inherent vowels
        (0x180B, 0x180F),  # Mongolian free variation selectors
        (0x3164, 0x3164),  # Hangul filler
        (0xFE00, 0xFE0F),  # variation selectors
        (0xFFA0, 0xFFA0),  # halfwidth Hangul filler
        (0xE0100, 0xE01EF),  # variation selectors supplement
    )
    for c in range(first, last + 1)
)


def _is_trimmable(ch: str) -> bool:
    category = unicodedata.category(ch)
    return category[0] in ("P", "Z", "S", "C") or ch.isspace()


def _drop_invisible(text: str) -> str:
    return "".join(
        ch for ch in text if unicodedata.category(ch) != "Cf" and ch not in _INVISIBLE_NOT_CF
    )


def fold(text: str) -> str:
    """Case, width, accents and invisible characters folded away: "ＡＲＲÊ<U+200B>T" -> "arret".

    Invisible characters go before NFKC (so that what they separated composes as it is shown)
    and after it (a compatibility form may decompose to one, e.g. U+FFA0 -> U+1160)."""
    text = _drop_invisible(unicodedata.normalize("NFKC", _drop_invisible(text)).casefold())
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    )


def normalize(text: str) -> str:
    """The comparable form of a message or keyword: "  Opt-Out!! " -> "optout",
    "S<U+200B>TOP" -> "stop"."""
    text = fold(text)
    start, end = 0, len(text)
    while start < end and _is_trimmable(text[start]):
        start += 1
    while end > start and _is_trimmable(text[end - 1]):
        end -= 1
    core = text[start:end]
    return "".join(ch for ch in core if ch not in _INNER_IGNORED and not ch.isspace())


@dataclass(frozen=True)
class KeywordRule:
    kind: str
    keyword: str  # as the workspace wrote it
    language: str = ""
    reply_text: str = ""

    @property
    def normalized(self) -> str:
        return normalize(self.keyword)


@dataclass(frozen=True)
class Match:
    kind: str
    rule: KeywordRule


def match(body: str, rules: Iterable[KeywordRule]) -> Match | None:
    """The keyword `body` equals, by precedence opt-out > opt-in > help; None for conversation."""
    text = normalize(body)
    if not text:
        return None
    found: dict[str, KeywordRule] = {}
    for rule in rules:
        if rule.normalized == text and rule.kind not in found:
            found[rule.kind] = rule
    for kind in PRECEDENCE:
        if kind in found:
            return Match(kind=kind, rule=found[kind])
    return None


def could_be_keyword(body: str) -> bool:
    """Whether `body` is short enough to equal a keyword: a longer text needs no rule lookup."""
    return 0 < len(normalize(body)) <= MAX_KEYWORD_LENGTH


def is_valid_keyword(keyword: str) -> bool:
    """A keyword must keep at least one letter or digit after normalisation."""
    return any(ch.isalnum() for ch in normalize(keyword))


def builtin_rules(
    *, packs: Iterable[str], country: str = "", toll_free: bool = False
) -> list[KeywordRule]:
    """The built-in keywords in force for a contact of `country` texting a number: English, the
    workspace's enabled packs, and the packs the contact's country requires (COUNTRY_PACKS).
    On a toll-free number YES does not opt back in (only START and UNSTOP)."""
    wanted = [ENGLISH, *packs, *COUNTRY_PACKS.get(country.upper(), ())]
    rules: list[KeywordRule] = []
    for language in dict.fromkeys(wanted):  # in order, once each
        for kind, words in LANGUAGE_PACKS.get(language, {}).items():
            for word in words:
                if toll_free and kind == OPT_IN and word not in TOLL_FREE_OPT_IN:
                    continue
                rules.append(KeywordRule(kind, word, language))
    return rules
