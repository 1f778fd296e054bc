"""Reads on consent: settings, keyword rules and the block check."""

from django.db.models import F

from . import scope
from .defaults import BUILTIN_KEYWORDS
from .keywords import KeywordRule
from .models import ComplianceSettings, Keyword, OptOut


def compliance_settings_for(workspace) -> ComplianceSettings:
    settings, _ = ComplianceSettings.objects.get_or_create(workspace=workspace)
    return settings


def keyword_rules_for(workspace) -> list[KeywordRule]:
    """Built-in keywords followed by the workspace's custom ones."""
    rules = [KeywordRule(kind, word) for kind, words in BUILTIN_KEYWORDS.items() for word in words]
    rules += [
        KeywordRule(k.kind, k.keyword, k.language, k.reply_text)
        for k in Keyword.objects.filter(workspace=workspace)
    ]
    return rules


def active_opt_outs(*, workspace_id: int, contact_phone: str) -> list[OptOut]:
    """A contact's active opt-outs, each annotated with the workspace's scope now (one query)."""
    return list(
        OptOut.objects.filter(workspace_id=workspace_id, contact__phone=contact_phone)
        .select_related("phone_number", "contact", "event")
        .annotate(workspace_scope=F("workspace__compliance_settings__opt_out_scope"))
    )


def block_for(*, workspace_id: int, contact_phone: str, number: str) -> OptOut | None:
    """The opt-out that forbids texting `contact_phone` from the workspace number `number`."""
    rows = active_opt_outs(workspace_id=workspace_id, contact_phone=contact_phone)
    if not rows:
        return None
    by_id = {row.id: row for row in rows}
    hit = scope.blocking(
        [scope.ActiveOptOut(r.id, r.scope, r.phone_number.number) for r in rows],
        number,
        rows[0].workspace_scope or scope.INBOX,
    )
    return by_id[hit.id] if hit else None
