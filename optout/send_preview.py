"""What the send policy would answer for a text now, without raising: the composer's state
before Send (opted out or blocked, consent, content refusals and warnings, the recipient's
sending window). A read: it runs the policy's own checks (optout.policy), never a copy of them,
and writes nothing (no rule outcome is counted)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from compliance_center.errors import DomainError
from workspaces.models import Contact

from . import content, policy, windows, wording
from .models import ComplianceSettings, ConsentStatus
from .selectors import Consent, consent_status


@dataclass(frozen=True)
class SendPreview:
    consent: Consent
    # The first rule that would refuse the text, in the policy's order ("" when it would go).
    refusal_code: str = ""
    refusal: str = ""
    warnings: tuple[str, ...] = ()  # the policy's warning codes
    window: windows.WindowDecision | None = None  # None: no window applies now
    window_note: str = ""  # the sentence when the window is closed

    @property
    def status(self) -> str:
        return self.consent.status

    @property
    def blocked(self) -> bool:
        return self.consent.status == ConsentStatus.OPTED_OUT

    @property
    def warning_sentences(self) -> list[tuple[str, str]]:
        return [(w, wording.warning_sentence(w, content.CATEGORY_LABELS)) for w in self.warnings]


def _window_note(*, decision: windows.WindowDecision, zones: tuple[str, ...], now: datetime) -> str:
    """Names the zone the window is closed in (the one its reason names) and when it opens
    there: a time today, else a day and a time."""
    zone = next((z for z in zones if f" in {z};" in decision.reason), zones[0])
    opens = ""
    if decision.opens_at is not None:
        local = decision.opens_at.astimezone(ZoneInfo(zone))
        today = now.astimezone(ZoneInfo(zone)).date()
        if local.date() == today:
            opens = f"{local:%H:%M}"
        elif (local.date() - today).days == 1:
            opens = f"{local:%H:%M} tomorrow"
        else:
            opens = f"{local:%a %b} {local.day}, {local:%H:%M}"
    return wording.window_sentence(
        quiet_hours="quiet hours run" in decision.reason, zone=zone, opens=opens
    )


def send_preview(
    *,
    workspace_id: int,
    rules: ComplianceSettings,
    sender: Any,
    recipient: str,
    body: str,
    now: datetime,
) -> SendPreview:
    """The answer `policy.send_check` would give for `body` from `sender` to `recipient` at
    `now`, as data. A blank body is not checked for content nor warned about."""
    consent = consent_status(
        workspace_id=workspace_id, contact_phone=recipient, number=sender, now=now
    )
    refusal: DomainError | None = None
    if consent.block is not None:
        refusal = policy.opted_out(consent.block)
    else:
        refusal = policy.consent_refusal(
            rules=rules, workspace_id=workspace_id, sender=sender, recipient=recipient, now=now
        )
    warnings: list[str] = []
    if body.strip():  # an empty composer has nothing to warn about yet
        try:
            warnings.extend(policy.content_check(rules=rules, body=body))
        except DomainError as blocked:
            refusal = refusal or blocked
        warnings.extend(policy.number_warnings(sender))
    contact = (
        Contact.objects.filter(workspace_id=workspace_id, phone=recipient)
        .only("id", "time_zone", "last_inbound_at")
        .first()
    )
    window = policy.window_decision(rules=rules, recipient=recipient, contact=contact, now=now)
    note = ""
    if window is not None and not window.open:
        zones = windows.recipient_zones(
            recipient, contact.time_zone if contact else "", fallback=rules.timezone
        )
        note = _window_note(decision=window, zones=zones, now=now)
    return SendPreview(
        consent=consent,
        refusal_code=refusal.code if refusal else "",
        refusal=refusal.detail if refusal else "",
        warnings=tuple(warnings),
        window=window,
        window_note=note,
    )
