"""Keyword matching: does an inbound text equal an opt-out, opt-in or help keyword?

Pure functions over plain values. A message matches a keyword when, after Unicode NFKC
normalisation, case-folding, trimming surrounding whitespace and punctuation, and ignoring
spaces and hyphens inside it, it equals the keyword. Opt-out beats opt-in beats help.
"""

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

OPT_OUT = "opt_out"
OPT_IN = "opt_in"
HELP = "help"
PRECEDENCE = (OPT_OUT, OPT_IN, HELP)
MAX_KEYWORD_LENGTH = 64
_INNER_IGNORED = {" ", "-", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "_"}


def _is_trimmable(ch: str) -> bool:
    category = unicodedata.category(ch)
    return category[0] in ("P", "Z", "S", "C") or ch.isspace()


def normalize(text: str) -> str:
    """The comparable form of a message or keyword: "  Opt-Out!! " -> "optout"."""
    text = unicodedata.normalize("NFKC", text).casefold()
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
