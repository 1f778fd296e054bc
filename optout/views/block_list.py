"""Block list: search, manual opt-out, CSV exports, a contact's consent history and lift."""

from urllib.parse import urlencode

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from compliance_center.errors import DomainError
from compliance_center.phone import pretty
from workspaces import services as workspace_services
from workspaces.models import Contact
from workspaces.permissions import compliance_manager_required
from workspaces.tenancy import get_for_workspace_or_404

from .. import selectors, services
from ..api import consent_events_csv
from ..exports import stream_csv
from ..forms import (
    BlockListSearchForm,
    ConsentRecordForm,
    ContactNameForm,
    LiftForm,
    ManualOptOutForm,
)
from ..models import ConsentEvent
from .common import PAGE_SIZE, render_tab, saved_in


def _block_list_page(request, *, opt_out_form=None, status=200):
    search = BlockListSearchForm(request.GET)
    q = search.cleaned_data["q"] if search.is_valid() else ""
    rows = selectors.block_list(workspace=request.workspace, q=q)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_tab(
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
        has_numbers=request.workspace.phone_numbers.exists(),
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
            # Back to the block list (its main action is not "Lift"), the new row on top.
            flash.success(
                request,
                f"{pretty(event.contact.phone)} is opted out: first on the block list below.",
            )
            return redirect("compliance:block-list")
    return _block_list_page(request, opt_out_form=form)


@require_GET
@compliance_manager_required
def block_list_csv(request):
    rows = selectors.block_list(workspace=request.workspace, q=request.GET.get("q", ""))
    stamp = timezone.now().strftime("%Y%m%d")
    zone = timezone.get_current_timezone()  # the workspace's: the rows are written later
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
                timezone.localtime(o.created_at, zone).isoformat(),
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
        try:
            pk = int(contact_id)
        except ValueError:  # "abc", "²", a 5,000-digit number: no such contact
            pk = 0
        contact = get_for_workspace_or_404(Contact, request.workspace, pk=pk)
        qs = qs.filter(contact=contact)
    return consent_events_csv(qs, timezone.get_current_timezone())


# ---------------------------------------------------------------- a contact's consent history


def _contact_page(
    request, contact, *, lift_form=None, name_form=None, consent_form=None, status=200
):
    """A contact's consent: per number of the workspace, the chain of events, what waits for
    review; rename them, record their consent, lift an opt-out (folded away: rarely right)."""
    opt_outs = list(selectors.block_list(workspace=request.workspace).filter(contact=contact))
    rules = selectors.compliance_settings_for(request.workspace)
    numbers = selectors.consent_by_number(workspace=request.workspace, contact=contact)
    consent_form = consent_form or ConsentRecordForm(workspace=request.workspace)
    consent_form.fields["phone_number"].help_text = (
        "Under Inbox Opt-Out consent covers every number of the workspace."
        if rules.opt_out_scope == "inbox"
        else "Under Phone Number Opt-Out consent covers this number only."
    )
    return render_tab(
        request,
        "contact.html",
        "block-list",
        status=status,
        contact=contact,
        opt_outs=opt_outs,
        numbers=numbers,
        blocked_everywhere=bool(numbers)
        and all(row.consent.status == "opted_out" for row in numbers),
        events=selectors.consent_history(workspace=request.workspace, contact=contact),
        reviews=selectors.open_reviews_of(workspace=request.workspace, contact=contact),
        rules=rules,
        lift_form=lift_form or LiftForm(),
        name_form=name_form or ContactNameForm(initial={"name": contact.name}),
        consent_form=consent_form,
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


@require_POST
@compliance_manager_required
def contact_rename(request, pk: int):
    found = get_for_workspace_or_404(Contact, request.workspace, pk=pk)
    form = ContactNameForm(request.POST)
    if form.is_valid():
        try:
            workspace_services.contact_rename(
                contact=found, name=form.cleaned_data["name"], actor=request.user
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.detail)
        else:
            saved_in(request, "contact", "Name saved." if found.name else "Name removed.")
            return redirect("compliance:contact", pk=found.pk)
    return _contact_page(request, found, name_form=form, status=400)


@require_POST
@compliance_manager_required
def contact_consent(request, pk: int):
    """Consent given elsewhere than by the contact's own text, with its evidence: the same
    service and rules as POST /api/v1/opt-ins (a double opt-in request goes out under double
    opt-in)."""
    found = get_for_workspace_or_404(Contact, request.workspace, pk=pk)
    form = ConsentRecordForm(request.POST, workspace=request.workspace)
    if form.is_valid():
        try:
            recorded = services.consent_record(
                workspace=request.workspace,
                contact_phone=found.phone,
                source=form.cleaned_data["source"],
                evidence=form.cleaned_data["evidence"],
                number=form.cleaned_data["phone_number"],
                actor=request.user,
            )
        except DomainError as exc:
            field = {"contact": None, "number": "phone_number"}.get(exc.field or "", exc.field)
            form.add_error(field if field in form.fields else None, exc.detail)
        else:
            saved_in(request, "record-consent", _consent_recorded(recorded))
            return redirect(reverse("compliance:contact", args=[found.pk]) + "#record-consent")
    return _contact_page(request, found, consent_form=form, status=400)


def _consent_recorded(recorded) -> str:
    if not recorded.created:
        return (
            "Nothing changed: this consent was already on record."
            if recorded.opt_in.status == "confirmed"
            else "Nothing changed: a double opt-in request already waits for their YES."
        )
    if recorded.opt_in.status == "pending":
        return (
            "Consent recorded. The double opt-in request is on its way: they are pending until "
            "they reply YES."
        )
    return "Consent recorded: they are opted in."
