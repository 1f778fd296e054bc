"""Compliance Center pages (Settings → Compliance Center): Overview, Opt-out, Keywords, Block list,
Audit log. Admins and managers only; every lookup starts from the request's workspace.

Views parse input, call a selector or a service, and render. Changes go through services, which
save in one transaction and write the audit log; a successful POST redirects (no double submit).
"""

from urllib.parse import urlencode

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from compliance_center.errors import DomainError
from compliance_center.phone import pretty
from workspaces.models import Contact
from workspaces.permissions import compliance_manager_required
from workspaces.tenancy import get_for_workspace_or_404

from . import charts, selectors, services, signature
from .api import consent_events_csv
from .defaults import BUILTIN_KEYWORDS, MAX_CUSTOM_KEYWORDS_PER_KIND
from .exports import stream_csv
from .forms import (
    SAMPLE_MESSAGE,
    SCOPE_CHOICES,
    SCOPE_HELP,
    SIGNATURE_CHOICES,
    SIGNATURE_HELP,
    BlockListSearchForm,
    ConfirmationForm,
    KeywordAddForm,
    LiftForm,
    ManualOptOutForm,
    PreviewForm,
    RepliesForm,
    ScopeForm,
    SendingRulesForm,
    SignatureForm,
)
from .models import ConsentEvent, Keyword, KeywordKind

PAGE_SIZE = 50

# ---------------------------------------------------------------- helpers


def _render(request: HttpRequest, template: str, tab: str, status: int = 200, **context):
    return render(
        request,
        f"optout/{template}",
        {"nav": "compliance", "tab": tab, **context},
        status=status,
    )


def _save_settings(request: HttpRequest, form, fields: list[str]) -> bool:
    """Saves the form's fields through the audited service; model errors land on the form."""
    try:
        services.compliance_settings_update(
            workspace=request.workspace,
            actor=request.user,
            via="web",
            **{f: form.cleaned_data[f] for f in fields},
        )
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return False
    return True


# ---------------------------------------------------------------- Overview


@compliance_manager_required
def overview(request):
    stats = selectors.compliance_stats(workspace=request.workspace)
    current = selectors.compliance_settings_for(request.workspace)
    return _render(
        request,
        "overview.html",
        "overview",
        stats=stats,
        chart=charts.bar_chart(stats.daily_opt_outs),
        settings=current,
        scope_label=dict(SCOPE_CHOICES)[current.opt_out_scope],
        signature_label=dict(SIGNATURE_CHOICES)[current.signature_mode],
    )


# ---------------------------------------------------------------- Opt-out


OPT_OUT_SECTIONS = {
    "scope": (ScopeForm, ["opt_out_scope"], "Opt-out scope saved."),
    "confirmation": (
        ConfirmationForm,
        ["opt_out_confirmation_enabled", "opt_out_confirmation_text"],
        "Opt-out confirmation saved.",
    ),
    "signature": (SignatureForm, ["signature_mode", "signature_text"], "Opt-out signature saved."),
    "sending": (
        SendingRulesForm,
        [
            "quiet_hours_enabled",
            "quiet_hours_start",
            "quiet_hours_end",
            "timezone",
            "blocked_terms",
        ],
        "Sending rules saved.",
    ),
}


def _opt_out_forms(current, bound_section: str | None = None, data=None) -> dict:
    forms = {}
    for section, (form_class, fields, _) in OPT_OUT_SECTIONS.items():
        kwargs = {"current_scope": current.opt_out_scope} if form_class is ScopeForm else {}
        if section == bound_section:
            forms[section] = form_class(data, **kwargs)
        else:
            forms[section] = form_class(initial={f: getattr(current, f) for f in fields}, **kwargs)
    return forms


def _signature_preview(mode: str, text: str, sample: str) -> dict:
    sample = sample if sample.strip() else SAMPLE_MESSAGE
    composed = signature.compose(body=sample, mode=mode or signature.OFF, signature=text)
    return {
        "mode": mode,
        "final": composed.final,
        "signed": composed.signed,
        "signature_text": text.strip(),
        "info": composed.info,
        "chars": composed.chars,
        "too_long": composed.too_long,
        "sample": sample,
    }


@compliance_manager_required
def opt_out(request):
    current = selectors.compliance_settings_for(request.workspace)
    section = request.POST.get("section") if request.method == "POST" else None
    if section is not None and section not in OPT_OUT_SECTIONS:
        return HttpResponse("Unknown section.", status=400)
    forms = _opt_out_forms(current, section, request.POST)
    if section:
        form = forms[section]
        _, fields, done = OPT_OUT_SECTIONS[section]
        if form.is_valid() and _save_settings(request, form, fields):
            flash.success(request, done)
            return redirect(reverse("compliance:opt-out") + f"#{section}")
    sig = forms["signature"]
    if sig.is_bound:
        preview = _signature_preview(
            sig.data.get("signature_mode", ""), sig.data.get("signature_text", ""), ""
        )
    else:
        preview = _signature_preview(current.signature_mode, current.signature_text, "")
    return _render(
        request,
        "opt_out.html",
        "opt-out",
        status=200,
        settings=current,
        forms=forms,
        scope_options=[(v, label, SCOPE_HELP[v]) for v, label in SCOPE_CHOICES],
        signature_options=[(v, label, SIGNATURE_HELP[v]) for v, label in SIGNATURE_CHOICES],
        selected_scope=forms["scope"]["opt_out_scope"].value(),
        selected_signature=sig["signature_mode"].value(),
        preview=preview,
    )


@require_POST
@compliance_manager_required
def signature_preview(request):
    """htmx: the sample message as it would be sent, with its segment count. Saves nothing."""
    form = PreviewForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    preview = _signature_preview(
        data.get("signature_mode") or "", data.get("signature_text") or "", data.get("sample") or ""
    )
    return render(request, "optout/_signature_preview.html", {"preview": preview})


# ---------------------------------------------------------------- Keywords


def _keywords_page(request, *, add_forms=None, replies_form=None, status=200):
    current = selectors.compliance_settings_for(request.workspace)
    custom = selectors.custom_keywords_by_kind(request.workspace)
    add_forms = add_forms or {}
    kinds = []
    for kind, label in KeywordKind.choices:
        kinds.append(
            {
                "kind": kind,
                "label": label,
                "builtins": BUILTIN_KEYWORDS[kind],
                "custom": custom[kind],
                "full": len(custom[kind]) >= MAX_CUSTOM_KEYWORDS_PER_KIND,
                "form": add_forms.get(kind) or KeywordAddForm(prefix=kind, initial={"kind": kind}),
            }
        )
    return _render(
        request,
        "keywords.html",
        "keywords",
        status=status,
        kinds=kinds,
        limit=MAX_CUSTOM_KEYWORDS_PER_KIND,
        replies_form=replies_form
        or RepliesForm(
            initial={
                "opt_in_confirmation_text": current.opt_in_confirmation_text,
                "help_text": current.help_text,
            }
        ),
    )


@require_GET
@compliance_manager_required
def keywords(request):
    return _keywords_page(request)


@require_POST
@compliance_manager_required
def keyword_add(request, kind: str):
    if kind not in KeywordKind.values:
        return HttpResponse("Unknown keyword kind.", status=404)
    form = KeywordAddForm(request.POST, prefix=kind, initial={"kind": kind})
    if form.is_valid():
        try:
            created = services.keyword_add(
                workspace=request.workspace,
                kind=kind,
                keyword=form.cleaned_data["keyword"],
                language=form.cleaned_data["language"],
                reply_text=form.cleaned_data["reply_text"],
                actor=request.user,
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.detail)
        else:
            flash.success(
                request,
                f"{created.keyword} added: a text that says it now counts as "
                f"{created.get_kind_display().lower()}.",
            )
            return redirect(reverse("compliance:keywords") + f"#kw-{kind}")
    return _keywords_page(request, add_forms={kind: form})


@require_POST
@compliance_manager_required
def keyword_remove(request, pk: int):
    keyword = get_for_workspace_or_404(Keyword, request.workspace, pk=pk)
    services.keyword_remove(keyword=keyword, actor=request.user)
    flash.success(request, f"{keyword.keyword} removed.")
    return redirect(reverse("compliance:keywords") + f"#kw-{keyword.kind}")


@require_POST
@compliance_manager_required
def keyword_replies(request):
    form = RepliesForm(request.POST)
    if form.is_valid() and _save_settings(request, form, ["opt_in_confirmation_text", "help_text"]):
        flash.success(request, "Replies saved.")
        return redirect(reverse("compliance:keywords") + "#replies")
    return _keywords_page(request, replies_form=form)


# ---------------------------------------------------------------- Block list


def _block_list_page(request, *, opt_out_form=None, status=200):
    search = BlockListSearchForm(request.GET)
    q = search.cleaned_data["q"] if search.is_valid() else ""
    rows = selectors.block_list(workspace=request.workspace, q=q)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        "block_list.html",
        "block-list",
        status=status,
        search=search,
        q=q,
        pager_query=f"{urlencode({'q': q})}&" if q else "",
        page=page,
        total=selectors.block_list(workspace=request.workspace)
        .values("contact_id")
        .distinct()
        .count(),
        workspace_scope=selectors.compliance_settings_for(request.workspace).opt_out_scope,
        opt_out_form=opt_out_form or ManualOptOutForm(workspace=request.workspace),
    )


@require_GET
@compliance_manager_required
def block_list(request):
    return _block_list_page(request)


@require_POST
@compliance_manager_required
def block_list_opt_out(request):
    form = ManualOptOutForm(request.POST, workspace=request.workspace)
    if form.is_valid():
        try:
            event = services.opt_out_manual(
                workspace=request.workspace,
                contact_phone=form.cleaned_data["contact"],
                phone_number=form.cleaned_data["phone_number"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.detail)
        else:
            flash.success(request, f"{pretty(event.contact.phone)} is opted out.")
            return redirect("compliance:contact", pk=event.contact_id)
    return _block_list_page(request, opt_out_form=form)


@require_GET
@compliance_manager_required
def block_list_csv(request):
    rows = selectors.block_list(workspace=request.workspace, q=request.GET.get("q", ""))
    stamp = timezone.now().strftime("%Y%m%d")
    return stream_csv(
        f"block-list-{request.workspace.slug}-{stamp}.csv",
        [
            "contact",
            "name",
            "phone_number",
            "scope",
            "source",
            "opted_out_at",
            "message",
            "reason",
            "actor",
        ],
        (
            [
                o.contact.phone,
                o.contact.name,
                o.phone_number.number,
                o.scope,
                o.source,
                o.created_at.isoformat(),
                o.event.message_body,
                o.event.reason,
                o.event.actor.email if o.event.actor else "",
            ]
            for o in rows.iterator(chunk_size=2000)
        ),
    )


@require_GET
@compliance_manager_required
def consent_ledger_csv(request):
    qs = ConsentEvent.objects.for_workspace(request.workspace).select_related(
        "contact", "phone_number", "actor"
    )
    if contact_id := request.GET.get("contact"):
        contact = get_for_workspace_or_404(
            Contact, request.workspace, pk=contact_id if contact_id.isdigit() else 0
        )
        qs = qs.filter(contact=contact)
    return consent_events_csv(qs)


# ---------------------------------------------------------------- a contact's consent history


def _contact_page(request, contact, *, lift_form=None, status=200):
    opt_outs = list(selectors.block_list(workspace=request.workspace).filter(contact=contact))
    numbers = request.workspace.phone_numbers.order_by("number")
    blocked_on = [
        {
            "number": n,
            "block": selectors.block_for(
                workspace_id=request.workspace.id, contact_phone=contact.phone, number=n.number
            ),
        }
        for n in numbers
    ]
    return _render(
        request,
        "contact.html",
        "block-list",
        status=status,
        contact=contact,
        opt_outs=opt_outs,
        blocked_on=blocked_on,
        events=selectors.consent_history(workspace=request.workspace, contact=contact),
        lift_form=lift_form or LiftForm(),
    )


@require_GET
@compliance_manager_required
def contact(request, pk: int):
    return _contact_page(request, get_for_workspace_or_404(Contact, request.workspace, pk=pk))


@require_POST
@compliance_manager_required
def contact_lift(request, pk: int):
    found = get_for_workspace_or_404(Contact, request.workspace, pk=pk)
    form = LiftForm(request.POST)
    if form.is_valid():
        try:
            services.opt_out_lift(
                workspace=request.workspace,
                contact=found,
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.detail)
        else:
            flash.success(request, f"Opt-out of {pretty(found.phone)} lifted.")
            return redirect("compliance:contact", pk=found.pk)
    return _contact_page(request, found, lift_form=form)


# ---------------------------------------------------------------- Audit log


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
    return _render(
        request,
        "audit_log.html",
        "audit-log",
        page=page,
        rows=[_audit_row(e) for e in page.object_list],
    )
