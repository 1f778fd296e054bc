"""Audit log: who changed which setting (the Compliance Center's and the workspace's Settings),
from what to what, when."""

from datetime import datetime, time, timedelta
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.utils import timezone
from django.views.decorators.http import require_GET

from compliance_center.phone import pretty
from workspaces.models import Role
from workspaces.permissions import compliance_manager_required

from .. import selectors
from ..exports import stream_csv
from ..forms import (
    SCOPE_CHOICES,
    SIGNATURE_CHOICES,
    AuditLogFilterForm,
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
# Settings (workspaces' services): their fields, by action, where the field is a setting's name.
SETTINGS_FIELD_LABELS = {
    "workspace_created": {"name": "Workspace name"},
    "workspace_changed": {"name": "Workspace name", "time_zone": "Time zone"},
    "twilio_credentials_changed": {
        "account_sid": "Twilio Account SID",
        "auth_token": "Twilio Auth Token",
    },
    "twilio_checked": {"connection": "Twilio connection"},
}
ACTION_LABELS = {
    "setting_changed": "Changed a setting",
    "keyword_added": "Added a keyword",
    "keyword_removed": "Removed a keyword",
    "opt_out_recorded": "Opted a contact out",
    "opt_out_lifted": "Lifted an opt-out",
    "contact_renamed": "Renamed a contact",
    "workspace_created": "Created the workspace",
    "workspace_changed": "Changed the workspace",
    "number_added": "Added a phone number",
    "number_relabelled": "Relabelled a phone number",
    "number_removed": "Removed a phone number",
    "twilio_credentials_changed": "Changed the Twilio credentials",
    "twilio_checked": "Checked the Twilio connection",
    "member_invited": "Invited a member",
    "invitation_resent": "Sent an invitation again",
    "invitation_revoked": "Revoked an invitation",
    "member_joined": "Joined the workspace",
    "member_role_changed": "Changed a member's role",
    "member_removed": "Removed a member",
    "api_token_created": "Created an API token",
    "api_token_revoked": "Revoked an API token",
    "crm_endpoint_added": "Added a CRM endpoint",
    "crm_endpoint_enabled": "Enabled a CRM endpoint",
    "crm_endpoint_disabled": "Disabled a CRM endpoint",
    "crm_endpoint_removed": "Deleted a CRM endpoint",
    "crm_test_sent": "Sent a test to a CRM endpoint",
    "crm_delivery_resent": "Sent a CRM delivery again",
}
VALUE_LABELS = {
    "opt_out_scope": dict(SCOPE_CHOICES),
    "signature_mode": dict(SIGNATURE_CHOICES),
    "opt_out_confirmation_enabled": {"True": "On", "False": "Off"},
}
# Actions whose field is a contact's or the workspace's phone number, and whose values are roles.
PHONE_FIELD_ACTIONS = {
    "contact_renamed",
    "opt_out_recorded",
    "opt_out_lifted",
    "number_added",
    "number_relabelled",
    "number_removed",
}
ROLE_VALUE_ACTIONS = {
    "member_invited",
    "invitation_resent",
    "invitation_revoked",
    "member_joined",
    "member_role_changed",
    "member_removed",
}


def _audit_row(entry) -> dict:
    values = VALUE_LABELS.get(entry.field, {})
    if entry.action in ROLE_VALUE_ACTIONS:
        values = dict(Role.choices)
    field = SETTINGS_FIELD_LABELS.get(entry.action, {}).get(entry.field)
    if field is None and entry.action not in SETTINGS_FIELD_LABELS:
        field = FIELD_LABELS.get(entry.field)
    if field is None and entry.action in PHONE_FIELD_ACTIONS:
        field = pretty(entry.field)
    return {
        "entry": entry,
        "action": ACTION_LABELS.get(entry.action, entry.action.replace("_", " ")),
        "field": field or entry.field,
        "old": values.get(entry.old_value, entry.old_value),
        "new": values.get(entry.new_value, entry.new_value),
        "who": entry.actor.email if entry.actor else "API token",
    }


def _filtered(request):
    """The filter form (its options from the log itself) and the entries it selects. Days are
    the workspace's: "From Dec 1" starts at its midnight there, "To Dec 3" ends at Dec 4's."""
    who_choices, actions = selectors.audit_log_choices(request.workspace)
    form = AuditLogFilterForm(
        request.GET or None,
        who_choices=who_choices,
        action_choices=[(a, ACTION_LABELS.get(a, a.replace("_", " "))) for a in actions],
    )
    data = {}
    if form.is_bound:
        form.is_valid()  # the valid filters apply; the others say why at their field
        data = form.cleaned_data
    zone = timezone.get_current_timezone()

    def midnight(day):
        return datetime.combine(day, time(0), tzinfo=zone) if day else None

    until = data.get("until")
    entries = selectors.audit_log_for(
        request.workspace,
        who=data.get("who") or "",
        action=data.get("action") or "",
        since=midnight(data.get("since")),
        until=midnight(until + timedelta(days=1)) if until else None,
    )
    query = urlencode({k: v for k, v in request.GET.items() if k != "page" and v})
    return form, entries, query


@require_GET
@compliance_manager_required
def audit_log(request):
    form, entries, query = _filtered(request)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_tab(
        request,
        "audit_log.html",
        "audit-log",
        page=page,
        rows=[_audit_row(e) for e in page.object_list],
        filter_form=form,
        filtering=bool(query),
        query=query,
        pager_query=f"{query}&" if query else "",
    )


@require_GET
@compliance_manager_required
def audit_log_csv(request):
    """The log under the same filters, as CSV: times in the workspace's zone (ISO 8601 with its
    offset), every cell neutralised (optout/exports.py)."""
    _, entries, _ = _filtered(request)
    zone = timezone.get_current_timezone()  # the rows are written after the view returns
    stamp = timezone.now().strftime("%Y%m%d")

    def rows():
        for entry in entries.iterator(chunk_size=2000):
            row = _audit_row(entry)
            yield [
                timezone.localtime(entry.created_at, zone).isoformat(),
                row["who"],
                entry.via,
                entry.action,
                row["action"],
                entry.field,
                entry.old_value,
                entry.new_value,
            ]

    return stream_csv(
        f"audit-log-{request.workspace.slug}-{stamp}.csv",
        ["when", "who", "via", "action", "what", "setting_or_item", "from", "to"],
        rows(),
    )
