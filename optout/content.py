"""Content rules (rule 4): SHAFT-C categories found by a maintained lexicon, each with the
workspace's action (block, warn, allow), and the spam triggers that never block but come back
as warnings. Pure: no database, no I/O but reading this package's `data/shaftc_lexicon.json`.

Matching (the lexicon's `_about` says the same for its maintainers): the text is read after
Unicode NFKC, case folding and accent folding, without invisible format characters; a term
matches whole words only; a phrase's words may be separated by any run of spaces or punctuation;
a hyphen inside a term is optional; digits and symbols standing for letters inside a word
("s3x", "v@pe") are read as those letters. A hit inside an allowed phrase ("glue gun",
"cocktail dress") does not count. Spans always point into the body as given.
"""

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from optout.defaults import BUILTIN_KEYWORDS

CATEGORIES = ("sex", "hate", "alcohol", "firearms", "tobacco", "cannabis")
CATEGORY_LABELS = {
    "sex": "sexual content",
    "hate": "hate",
    "alcohol": "alcohol",
    "firearms": "firearms",
    "tobacco": "tobacco or vaping",
    "cannabis": "cannabis or CBD",
}
BLOCK, WARN, ALLOW = "block", "warn", "allow"
ACTIONS = (BLOCK, WARN, ALLOW)
DEFAULT_ACTION = BLOCK

URL_SHORTENER = "url_shortener"
ALL_CAPS = "all_caps"
EXCESSIVE_PUNCTUATION = "excessive_punctuation"
SPAM_WARNINGS = (URL_SHORTENER, ALL_CAPS, EXCESSIVE_PUNCTUATION)

# all_caps: at least this many cased letters, and this share of them uppercase, once URLs, the
# opt-out wording ("Reply STOP to opt out"), keywords and short acronyms ("OK", "USA") are set
# aside. "OK" alone or one shouted word in a sentence is not a shouting message.
ALL_CAPS_MIN_LETTERS = 10
ALL_CAPS_SHARE = 0.7
ACRONYM_MAX_LETTERS = 3
_KEYWORDS = frozenset(word for words in BUILTIN_KEYWORDS.values() for word in words)  # STOP, HELP…


def warning_for(category: str) -> str:
    """The warning code of a category whose action is `warn`: "content_alcohol"."""
    return f"content_{category}"


@dataclass(frozen=True)
class ContentHit:
    """A lexicon term found in a body: `span` is [start, end) in the body as given, and
    `text` the body's own characters there."""

    category: str
    term: str
    span: tuple[int, int]
    text: str


@dataclass(frozen=True)
class ContentDecision:
    """What the content rules say about a body: the category that blocks it (the first one
    found, in reading order, whose action is `block`), or None; the warnings (spam triggers,
    then `content_<category>` for each category found whose action is `warn`); the hits of the
    categories that block or warn."""

    blocked_category: str | None
    warnings: tuple[str, ...]
    hits: tuple[ContentHit, ...] = ()


# --- folding ------------------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    if unicodedata.category(ch) == "Cf":  # zero-width spaces and joiners, soft hyphens, bidi
        return ""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", ch).casefold())
    return "".join(c for c in text if not unicodedata.combining(c))


def fold(text: str) -> tuple[str, tuple[int, ...]]:
    """The comparable form of a text, and for each of its characters the index of the body's
    character it came from: "Ｅｓｃｏｒｔé" -> "escorte"."""
    pieces: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        folded = _fold_char(ch)
        pieces.append(folded)
        origin.extend([i] * len(folded))
    return "".join(pieces), tuple(origin)


_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)
_LEET_TOKEN = re.compile(r"[\w@$]+")


def _deleet(folded: str) -> str:
    """Digits and symbols read as letters inside words that also have letters ("s3x" -> "sex",
    "a$$" -> "ass"); numbers alone ("420") stay. One character for one: spans are kept."""

    def swap(match: re.Match[str]) -> str:
        token = match.group()
        if any(c.isalpha() for c in token) and any(c in "013457@$" for c in token):
            return token.translate(_LEET)
        return token

    return _LEET_TOKEN.sub(swap, folded)


# --- the lexicon --------------------------------------------------------------------------------


_TERM_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")  # letters and digits, maybe hyphenated


def _term_pattern(term: str) -> str:
    """A term as a regular expression over folded text: its words (letters and digits) separated
    by any run of non-word characters ("smith & wesson", "Rifle, Colorado"), a hyphen inside a
    word optional ("e-cig": "ecig", "e cig")."""
    words = _TERM_WORD.findall(fold(term)[0])
    if not words:
        raise ValueError(f"{term!r} has no word to match")
    return r"[\W_]+".join(
        r"[\W_]*".join(re.escape(piece) for piece in word.split("-") if piece) for word in words
    )


def _whole_words(patterns: list[str]) -> re.Pattern[str]:
    # Longest first, so that "sex toys" is preferred to "sex" at the same place.
    ordered = sorted(patterns, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(ordered) + r")(?!\w)")


@dataclass(frozen=True)
class _Category:
    name: str
    pattern: re.Pattern[str]
    terms: tuple[tuple[str, re.Pattern[str]], ...]  # each term and its own pattern

    def term_of(self, matched: str) -> str:
        """Which term a match of `pattern` is (the longest that matches it whole)."""
        for term, pattern in self.terms:
            if pattern.fullmatch(matched):
                return term
        return matched  # unreachable: the match came from one of the terms


@dataclass(frozen=True)
class _Lexicon:
    categories: tuple[_Category, ...]
    allowed: re.Pattern[str]
    shorteners: re.Pattern[str]


@cache
def _lexicon() -> _Lexicon:
    path = resources.files("optout") / "data" / "shaftc_lexicon.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    if set(raw["categories"]) != set(CATEGORIES):
        raise ValueError(f"the lexicon's categories must be {CATEGORIES}")
    categories = []
    for name in CATEGORIES:
        terms = sorted(dict.fromkeys(raw["categories"][name]), key=len, reverse=True)
        patterns = [_term_pattern(term) for term in terms]
        categories.append(
            _Category(
                name=name,
                pattern=_whole_words(patterns),
                terms=tuple((t, re.compile(p)) for t, p in zip(terms, patterns, strict=True)),
            )
        )
    shorteners = "|".join(re.escape(host.casefold()) for host in raw["url_shorteners"])
    return _Lexicon(
        categories=tuple(categories),
        allowed=_whole_words([_term_pattern(phrase) for phrase in raw["allowed"]]),
        # A shortener's host on its own: not the tail of a longer host ("notbit.ly") or of a
        # path ("example.com/t.co"), nor the head of a longer host ("t.com", "bit.ly.example").
        shorteners=re.compile(
            r"(?:(?<=://)|(?<![\w./@-]))(?:www\.)?(?:" + shorteners + r")(?![\w-]|\.\w)"
        ),
    )


def lexicon_terms() -> dict[str, tuple[str, ...]]:
    """Every term of every category, for tests and for showing a workspace what is matched."""
    return {c.name: tuple(t for t, _ in c.terms) for c in _lexicon().categories}


def allowed_phrases() -> tuple[str, ...]:
    path = resources.files("optout") / "data" / "shaftc_lexicon.json"
    return tuple(json.loads(path.read_text(encoding="utf-8"))["allowed"])


# --- detection ----------------------------------------------------------------------------------


def detect(body: str) -> list[ContentHit]:
    """Every SHAFT-C term in `body`, in reading order (one hit per category and place)."""
    lexicon = _lexicon()
    folded, origin = fold(body)
    views = [folded]
    deleeted = _deleet(folded)
    if deleeted != folded:
        views.append(deleeted)
    allowed = [m.span() for view in views for m in lexicon.allowed.finditer(view)]
    found: dict[tuple[str, int, int], ContentHit] = {}
    for view in views:
        for category in lexicon.categories:
            for match in category.pattern.finditer(view):
                start, end = match.span()
                if any(a <= start and end <= b for a, b in allowed):
                    continue
                first, last = origin[start], origin[end - 1] + 1
                found.setdefault(
                    (category.name, first, last),
                    ContentHit(
                        category=category.name,
                        term=category.term_of(match.group()),
                        span=(first, last),
                        text=body[first:last],
                    ),
                )
    return sorted(found.values(), key=lambda h: (h.span, CATEGORIES.index(h.category)))


# --- spam triggers ------------------------------------------------------------------------------

_URL = re.compile(
    r"(?i)\b(?:https?://|www\.)\S+"  # a link with its scheme or www
    r"|\S+@\S+\.\w+"  # an email address
    r"|\b[\w-]+(?:\.[\w-]+)+/\S*"  # a host with a path: bit.ly/x
)
_OPT_OUT_WORDING = re.compile(
    r"(?i)\b(?:reply|text|txt|send)\s+(?:stop|stopall|end|quit|cancel|unsubscribe|optout)\b"
    r"(?:\s+(?:to|for)\s+(?:opt[\s-]*out|unsubscribe|cancel|end|stop|quit))?"
    r"|\b(?:reply|text|txt|send)\s+help\b(?:\s+for\s+(?:help|info))?"
    r"|\bmsg\s*(?:&|and)\s*data\s+rates\s+may\s+apply\b"
)
_LETTERS = re.compile(r"[^\W\d_]+")
_PUNCTUATION_RUN = re.compile(r"[!?$]{3,}")


def _is_all_caps(text: str) -> bool:
    upper = lower = 0
    for match in _LETTERS.finditer(_OPT_OUT_WORDING.sub(" ", text)):
        word = match.group()
        word_upper = sum(c.isupper() for c in word)
        word_lower = sum(c.islower() for c in word)
        if word in _KEYWORDS or (word_lower == 0 and word_upper <= ACRONYM_MAX_LETTERS):
            continue
        upper += word_upper
        lower += word_lower
    letters = upper + lower
    return letters >= ALL_CAPS_MIN_LETTERS and upper >= ALL_CAPS_SHARE * letters


def spam_warnings(body: str) -> tuple[str, ...]:
    """The spam triggers in a body, as warning codes (they never block): a generic public
    link shortener, a mostly-capitals text, runs of three or more of ! ? $."""
    text = unicodedata.normalize("NFKC", body)
    warnings = []
    if _lexicon().shorteners.search(text.casefold()):
        warnings.append(URL_SHORTENER)
    without_links = _URL.sub(" ", text)
    if _is_all_caps(without_links):
        warnings.append(ALL_CAPS)
    if _PUNCTUATION_RUN.search(without_links):
        warnings.append(EXCESSIVE_PUNCTUATION)
    return tuple(warnings)


def content_decision(body: str, actions: Mapping[str, str]) -> ContentDecision:
    """The content rules' answer for a body, given the workspace's action per category
    (`block` by default; an unknown action counts as `block`, the safe side)."""
    hits = detect(body)
    warnings = list(spam_warnings(body))
    blocked: str | None = None
    kept: list[ContentHit] = []
    for category in dict.fromkeys(hit.category for hit in hits):
        action = actions.get(category, DEFAULT_ACTION)
        if action not in ACTIONS:
            action = BLOCK
        if action == ALLOW:
            continue
        kept.extend(hit for hit in hits if hit.category == category)
        if action == BLOCK and blocked is None:
            blocked = category
        elif action == WARN:
            warnings.append(warning_for(category))
    return ContentDecision(
        blocked_category=blocked,
        warnings=tuple(warnings),
        hits=tuple(sorted(kept, key=lambda h: (h.span, CATEGORIES.index(h.category)))),
    )
