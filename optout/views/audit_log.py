"""Audit log: who changed which setting, from what to what, when."""

from django.core.paginator import Paginator
from django.views.decorators.http import require_GET

from compliance_center.phone import pretty
from workspaces.permissions import compliance_manager_required

from .. import selectors
from ..forms import (
    SCOPE_CHOICES,
    SIGNATURE_CHOICES,
)
from ..models import KeywordKind
from .common import PAGE_SIZE, render_tab

FIELD_LABELS = {
    "opt_out_scope": "Opt-out scope",
    "opt_out_confirmation_enabled": "Opt-out confirmation",
    "opt_out_confirmation_text": "Opt-out confirmation text",
    "opt_in_confirmation_text": "Opt-in confirmation text",
    "help_text": "HELP reply",
    "signature_mode": "Opt-out signature",
    "signature_text": "Signature text",
    **{kind: f"{label} keywords" for kind, label in KeywordKind.choices},
}
ACTION_LABELS = {
    "setting_changed": "Changed a setting",
    "keyword_added": "Added a keyword",
    "keyword_removed": "Removed a keyword",
    "opt_out_recorded": "Opted a contact out",
    "opt_out_lifted": "Lifted an opt-out",
}
VALUE_LABELS = {
    "opt_out_scope": dict(SCOPE_CHOICES),
    "signature_mode": dict(SIGNATURE_CHOICES),
    "opt_out_confirmation_enabled": {"True": "On", "False": "Off"},
}


def _audit_row(entry) -> dict:
    values = VALUE_LABELS.get(entry.field, {})
    field = FIELD_LABELS.get(entry.field)
    if field is None and entry.action in ("opt_out_recorded", "opt_out_lifted"):
        field = pretty(entry.field)
    return {
        "entry": entry,
        "action": ACTION_LABELS.get(entry.action, entry.action.replace("_", " ")),
        "field": field or entry.field,
        "old": values.get(entry.old_value, entry.old_value),
        "new": values.get(entry.new_value, entry.new_value),
        "who": entry.actor.email if entry.actor else "API token",
    }


@require_GET
@compliance_manager_required
def audit_log(request):
    page = Paginator(selectors.audit_log_for(request.workspace), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render_tab(
        request,
        "audit_log.html",
        "audit-log",
        page=page,
        rows=[_audit_row(e) for e in page.object_list],
    )
