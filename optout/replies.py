"""Which text answers a keyword: the most specific reply override wins (country and language,
then language, then country), then the default — the language pack's own reply for a French or
Spanish keyword, the workspace's text for English. Pure: plain values in, text out."""

from collections.abc import Iterable
from dataclasses import dataclass

from .defaults import ENGLISH, PACK_REPLIES

# The texts an override can replace (ReplyOverride.kind).
OPT_OUT = "opt_out"
OPT_IN = "opt_in"
HELP = "help"
WELCOME = "welcome"
DOUBLE_OPT_IN = "double_opt_in"
KINDS = (OPT_OUT, OPT_IN, HELP, WELCOME, DOUBLE_OPT_IN)


@dataclass(frozen=True)
class Override:
    kind: str
    language: str  # "" for any language
    country: str  # "" for any country (ISO 3166 alpha-2, upper case)
    text: str


@dataclass(frozen=True)
class ChosenReply:
    text: str
    source: str  # "override (CA, fr)", "French pack", "workspace"…, for previews and the ledger


def _base(language: str) -> str:
    return language.split("-")[0].lower()


def choose(
    *,
    kind: str,
    language: str,
    country: str,
    overrides: Iterable[Override],
    workspace_text: str,
) -> ChosenReply:
    """The reply to send for `kind` to a contact of `country` whose keyword was in `language`.

    An override names a language, a country or both (never neither: the default text itself is
    the workspace's setting or the pack's reply)."""
    language, country = _base(language), country.upper()
    levels = []
    if language and country:
        levels.append((language, country))
    if language:
        levels.append((language, ""))
    if country:
        levels.append(("", country))
    candidates = [o for o in overrides if o.kind == kind]
    for want in levels:
        for override in candidates:
            if (_base(override.language), override.country.upper()) == want:
                return ChosenReply(override.text, "override " + "/".join(p for p in want if p))
    pack_text = PACK_REPLIES.get((kind, language))
    if language and language != ENGLISH and pack_text:
        return ChosenReply(pack_text, f"{language} pack")
    return ChosenReply(workspace_text, "workspace")


def with_brand(text: str, brand: str) -> str:
    """`{brand}` in a reply (the welcome text, the double opt-in request) is the workspace's
    name."""
    return text.replace("{brand}", brand).strip()


# What a double opt-in request must say (CTIA): who, what and how often, how to confirm, how to
# stop and get help, and that rates may apply. (label, the test on the folded text)
_REQUEST_ELEMENTS = (
    ("the brand ({brand} or your business name)", lambda t, b: "{brand}" in t or b in t),
    (
        "what they will receive and how often (e.g. “up to 4 msgs/month”)",
        lambda t, b: any(
            w in t
            for w in (
                "/month",
                "per month",
                "a month",
                "/week",
                "per week",
                "a week",
                "msgs/",
                "recurring",
                "msg frequency",
            )
        ),
    ),
    ("“Reply YES to confirm”", lambda t, b: "yes" in t),
    ("how to stop (STOP)", lambda t, b: "stop" in t),
    ("how to get help (HELP)", lambda t, b: "help" in t),
    ("“Msg & data rates may apply”", lambda t, b: "rates may apply" in t),
)


def double_opt_in_missing(text: str, brand: str) -> list[str]:
    """The elements a double opt-in request lacks (the editor warns; it does not refuse)."""
    folded, brand_folded = text.casefold(), brand.casefold()
    return [label for label, has in _REQUEST_ELEMENTS if not has(folded, brand_folded)]


# Replies a workspace edits (the Opt-out and Keywords tabs), each with a live preview: the field
# of ComplianceSettings it is kept in, and whether `{brand}` is replaced in it.
EDITED_REPLIES = {
    OPT_OUT: ("opt_out_confirmation_text", False),
    OPT_IN: ("opt_in_confirmation_text", False),
    HELP: ("help_text", False),
    WELCOME: ("welcome_text", True),
    DOUBLE_OPT_IN: ("double_opt_in_text", True),
}


def as_sent(kind: str, text: str, brand: str) -> str:
    """The reply as the contact receives it: `{brand}` replaced where the text may name it."""
    _, branded = EDITED_REPLIES.get(kind, ("", False))
    return with_brand(text, brand) if branded else text.strip()


def _names_a_word(text: str, words: Iterable[str]) -> bool:
    folded = f" {''.join(ch if ch.isalnum() else ' ' for ch in text.casefold())} "
    return any(f" {w.casefold()} " in folded for w in words if w)


def reply_warnings(
    *, kind: str, text: str, segments: int, opt_in_words: Iterable[str]
) -> list[str]:
    """Soft warnings of the reply editors (they never refuse a save): an opt-out confirmation
    that does not say how to opt back in, a reply longer than one segment."""
    warnings = []
    if kind == OPT_OUT and text.strip() and not _names_a_word(text, opt_in_words):
        warnings.append(
            "It does not say how to opt back in: add “Reply START to opt back in.” (carriers "
            "expect it)."
        )
    if segments > 1:
        what = "confirmation" if kind in (OPT_OUT, OPT_IN) else "reply"
        if kind == DOUBLE_OPT_IN:
            what = "request"
        warnings.append(
            f"It runs past one segment ({segments} segments): the {what} costs {segments} "
            "messages and may reach the phone in parts. Keep it to 160 GSM-7 characters."
        )
    return warnings
