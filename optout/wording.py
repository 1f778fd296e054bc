"""The product's sentences about consent, in one place: why a send is refused, how a contact
opted out, what an event in a thread means. Plain values in, text out; no I/O."""

from dataclasses import dataclass
from datetime import datetime

from compliance_center.dates import when_text
from compliance_center.phone import pretty

from . import scope

# ConsentSource values (optout.models), named here so that wording needs no model.
KEYWORD, AGENT, API, IMPORT, CARRIER = "keyword", "agent", "api", "import", "carrier"
REVOCATION = "revocation"
SOURCE_LABELS = {
    KEYWORD: "Keyword",
    AGENT: "Agent",
    API: "API",
    IMPORT: "Import",
    CARRIER: "Carrier",
    REVOCATION: "Revocation",
}


@dataclass(frozen=True)
class Evidence:
    """What the ledger says about one consent event, as the sentences below need it."""

    source: str
    message_body: str = ""
    actor_email: str = ""
    reason: str = ""


def blocks_every_number(opt_out_scope: str, workspace_scope: str) -> bool:
    return scope.INBOX in (opt_out_scope, workspace_scope)


def refusal_sentence(
    *,
    contact_phone: str,
    number: str,
    opt_out_scope: str,
    workspace_scope: str,
    source: str,
    created_at: datetime,
) -> str:
    """Why a send to an opted-out contact is refused: when, how and under which scope."""
    where = (
        "any number of this workspace"
        if blocks_every_number(opt_out_scope, workspace_scope)
        else pretty(number)
    )
    how = SOURCE_LABELS.get(source, source).lower()
    return (
        f"{pretty(contact_phone)} opted out ({how}) on {when_text(created_at)}: "
        f"texting them from {where} is blocked."
    )


def how_opted_out(evidence: Evidence, number: str) -> str:
    """How the contact came to be blocked, for the inbox banner."""
    if evidence.source == KEYWORD:
        word = (evidence.message_body or "STOP").strip()
        return f"the contact replied {word} to {pretty(number)}"
    if evidence.source == AGENT:
        who = evidence.actor_email or "an agent"
        reason = f": “{evidence.reason}”" if evidence.reason else ""
        return f"marked by hand by {who}{reason}"
    if evidence.source == CARRIER:
        return "the carrier reported that the recipient unsubscribed (Twilio error 21610)"
    if evidence.source == IMPORT:
        return "imported from a block list"
    return "recorded through the API"


def scope_sentence(*, opt_out_scope: str, workspace_scope: str, number: str) -> str:
    """Which numbers the block covers, and why, for the inbox banner."""
    if opt_out_scope == scope.INBOX:
        return "Inbox opt-out: blocked from every number of this workspace."
    if workspace_scope == scope.INBOX:
        return (
            f"Made on {pretty(number)} under phone number opt-out; the workspace now uses "
            "inbox opt-out, so every number of this workspace is blocked."
        )
    return (
        f"Phone number opt-out: blocked from {pretty(number)} only; other numbers of this "
        "workspace can still text this contact."
    )


def event_sentence(
    *, opted_out: bool, event_scope: str, numbers: list[str], evidence: Evidence
) -> str:
    """'Contact replied STOP — opted out of all numbers of this workspace', and the like."""
    if event_scope == scope.INBOX:
        covered = "all numbers of this workspace"
    else:
        covered = f"{', '.join(pretty(n) for n in numbers)} only"
    what = f"opted out of {covered}" if opted_out else f"opted back in to {covered}"
    if evidence.source == KEYWORD:
        word = (evidence.message_body or "").strip() or ("STOP" if opted_out else "START")
        return f"Contact replied {word} — {what}"
    if evidence.source == AGENT:
        who = evidence.actor_email or "an agent"
        reason = f" (“{evidence.reason}”)" if evidence.reason else ""
        return f"Marked by {who}{reason} — {what}"
    if evidence.source == CARRIER:
        return f"The carrier reported the contact unsubscribed — {what}"
    return f"{SOURCE_LABELS.get(evidence.source, evidence.source)} — {what}"


# The send policy's warnings (never refusals), as the composer shows them live.
WARNING_SENTENCES = {
    "url_shortener": "A generic link shortener (bit.ly and the like): carriers filter them; "
    "link to your own domain.",
    "all_caps": "Mostly capital letters: it reads as shouting and trips spam filters.",
    "excessive_punctuation": "Runs of !!!, ??? or $$$: spam filters flag them.",
    "number_unregistered": "This number is not registered with the carriers (10DLC): they "
    "filter unregistered traffic. See Compliance Center → Overview → Carrier registration.",
}
CONTENT_WARNING_PREFIX = "content_"


def warning_sentence(code: str, category_labels: dict[str, str]) -> str:
    """The composer's sentence for a warning code of the send policy."""
    if code.startswith(CONTENT_WARNING_PREFIX):
        label = category_labels.get(code.removeprefix(CONTENT_WARNING_PREFIX), code)
        return (
            f"Mentions {label}: your content rules send it with a warning, and carriers may "
            "filter it."
        )
    return WARNING_SENTENCES.get(code, code.replace("_", " ").capitalize() + ".")


def window_sentence(*, quiet_hours: bool, zone: str, opens: str) -> str:
    """The composer's state when the recipient's sending window is closed: 'Quiet hours in
    America/New_York until 08:00 — sends are refused; API sends can be held.'"""
    what = "Quiet hours" if quiet_hours else "Outside the sending window"
    until = f" until {opens}" if opens else " (it never opens for this number)"
    return f"{what} in {zone}{until} — sends are refused; API sends can be held."
