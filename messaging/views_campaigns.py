"""Pages of contacts at scale, imports and broadcasts: the Contacts list (filters, keyset
pages), the import wizard (upload, column mapping with a preview, progress), the broadcast
composer (eligibility preview), a broadcast's live progress with pause / resume / cancel, and
its report. Views parse, call a service or a selector, render; live parts are htmx fragments."""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages as flash
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from compliance_center.api_errors import http_status
from compliance_center.errors import DomainError
from optout.exports import stream_csv
from optout.imports import csvfile
from optout.imports import services as imports
from optout.imports.models import Import, ImportRowError, ImportStatus
from optout.models import ConsentStatus, OptInSource
from workspaces.models import PhoneNumber, Tag
from workspaces.permissions import compliance_manager_required, member_required
from workspaces.tagging import tags_of
from workspaces.tenancy import get_for_workspace_or_404

from .broadcasts import selectors as broadcast_selectors
from .broadcasts import services as broadcasts
from .broadcasts.models import ACTIVE, Broadcast, RecipientStatus
from .contacts import CONSENT_STATES, ContactFilter, consent_summary, contact_page

PAGE_SIZE = 50

# ---------------------------------------------------------------- contacts


class ContactFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=60, label="Search")
    tag = forms.CharField(required=False, max_length=64)
    consent = forms.ChoiceField(
        required=False,
        choices=[("", "Any consent")]
        + [(s, s.replace("_", " ").capitalize()) for s in CONSENT_STATES],
    )
    after = forms.IntegerField(required=False, min_value=0, max_value=2**62)
    before = forms.IntegerField(required=False, min_value=0, max_value=2**62)


@require_GET
@member_required
def contacts(request: HttpRequest) -> HttpResponse:
    form = ContactFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    filters = ContactFilter(
        q=data.get("q") or "", tag=data.get("tag") or "", consent=data.get("consent") or ""
    )
    try:
        page = contact_page(
            workspace=request.workspace,
            filters=filters,
            after=data.get("after"),
            before=data.get("before"),
            size=PAGE_SIZE,
        )
    except ValueError:
        page = contact_page(workspace=request.workspace, filters=ContactFilter(), size=PAGE_SIZE)
    tags = tags_of(c.pk for c in page.rows)
    rows = [
        (c, tags.get(c.pk, []), state, ConsentStatus(state).label)
        for c in page.rows
        for state in [consent_summary(c)]
    ]
    keep = urlencode(
        {
            k: v
            for k, v in (("q", filters.q), ("tag", filters.tag), ("consent", filters.consent))
            if v
        }
    )
    return render(
        request,
        "messaging/contacts.html",
        {
            "nav": "contacts",
            "form": form,
            "rows": rows,
            "page": page,
            "keep": keep + "&" if keep else "",
            "filtering": bool(keep),
            "all_tags": Tag.objects.for_workspace(request.workspace).values_list("name", flat=True)[
                :200
            ],
        },
    )


# ---------------------------------------------------------------- imports


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[
            ("contacts", "Contacts (with tags, custom fields, consent evidence)"),
            ("block_list", "Block list (each row becomes an opt-out)"),
        ],
        widget=forms.RadioSelect,
        initial="contacts",
    )
    file = forms.FileField(label="CSV file", allow_empty_file=True)
    number = forms.ModelChoiceField(
        queryset=PhoneNumber.objects.none(),
        required=False,
        label="Number",
        help_text="The number the consent covers, or the opt-outs are made on (when the file "
        "has no number column). Default: the first one.",
    )

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["number"].queryset = PhoneNumber.objects.for_workspace(workspace)


def _target_choices(kind: str, header: list[str]) -> list[tuple[str, str]]:
    labels = {
        "phone": "Phone number",
        "name": "Name",
        "first_name": "First name",
        "last_name": "Last name",
        "tags": "Tags (comma or ; separated)",
        "consent_source": "Consent: source",
        "consent_date": "Consent: date",
        "consent_text": "Consent: text shown",
        "number": "Workspace number",
        "reason": "Reason",
        "ignore": "Don't import",
    }
    choices = [(t, labels[t]) for t in csvfile.TARGETS[kind]]
    if kind == csvfile.CONTACTS:
        for name in header:
            try:
                field = csvfile.FIELD_PREFIX + csvfile.normalize_field_name(name)
            except ValueError:
                continue
            choices.append((field, f"Custom field “{field[len(csvfile.FIELD_PREFIX) :]}”"))
    return choices


@require_http_methods(["GET", "POST"])
@compliance_manager_required
def import_upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.import_create(
                workspace=request.workspace,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                phone_number=form.cleaned_data["number"],
                draft=True,
                created_by=request.user,
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.detail)
        else:
            return redirect("import-detail", pk=job.pk)
    recent = Import.objects.for_workspace(request.workspace)[:10]
    return render(
        request,
        "messaging/import_upload.html",
        {
            "nav": "contacts",
            "form": form,
            "recent": recent,
            "sources": [s for s in OptInSource.values if s != "keyword"],
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@compliance_manager_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_for_workspace_or_404(Import, request.workspace, pk=pk)
    error = ""
    if request.method == "POST":
        mapping = [request.POST.get(f"col{i}", "ignore") for i in range(len(job.header))]
        try:
            job = imports.import_start(job=job, mapping=mapping)
        except DomainError as exc:
            error = exc.detail
            job.mapping = mapping
        else:
            return redirect("import-detail", pk=job.pk)
    context = {"nav": "contacts", "job": job, "error": error, **_import_progress(job)}
    if job.status == ImportStatus.DRAFT:
        preview = imports.import_preview(job)
        context["columns"] = [
            {
                "index": i,
                "name": name,
                "target": target,
                "samples": [row[i] if i < len(row) else "" for row in preview.rows],
            }
            for i, (name, target) in enumerate(zip(job.header, job.mapping, strict=False))
        ]
        context["choices"] = _target_choices(job.kind, job.header)
        width = len(job.header)
        context["sample_rows"] = [(row + [""] * width)[:width] for row in preview.rows]
    return render(request, "messaging/import_detail.html", context, status=400 if error else 200)


def _import_progress(job: Import) -> dict:
    errors = list(ImportRowError.objects.filter(job=job).order_by("line")[:20])
    return {
        "active": job.status in (ImportStatus.QUEUED, ImportStatus.RUNNING),
        "percent": int(100 * job.rows_done / job.rows_total) if job.rows_total else 0,
        "errors": errors,
    }


@require_GET
@compliance_manager_required
def import_live(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_for_workspace_or_404(Import, request.workspace, pk=pk)
    return render(request, "messaging/_import_progress.html", {"job": job, **_import_progress(job)})


@require_GET
@compliance_manager_required
def import_errors_csv(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_for_workspace_or_404(Import, request.workspace, pk=pk)
    return stream_csv(f"import-{job.pk}-errors.csv", ["line", "reason"], imports.error_rows(job))


# ---------------------------------------------------------------- broadcasts


class ComposerForm(forms.Form):
    name = forms.CharField(required=False, max_length=200, label="Name (for you)")
    senders = forms.ModelMultipleChoiceField(
        queryset=PhoneNumber.objects.none(),
        label="Send from",
        help_text="One number, or several: recipients are spread over them.",
        widget=forms.CheckboxSelectMultiple,
    )
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=3200,
        strip=False,
        help_text="Merge fields: {first_name}, {last_name}, {name}, {phone}, or a custom field "
        "such as {city}; {first_name|there} falls back to “there”. {{ and }} write braces.",
    )
    audience = forms.ChoiceField(
        choices=[
            ("tag", "Contacts with a tag"),
            ("all", "Every contact"),
            ("numbers", "A list of numbers"),
        ],
        widget=forms.RadioSelect,
        initial="tag",
    )
    tag = forms.CharField(required=False, max_length=64)
    numbers = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Numbers",
        help_text="One per line, or separated by commas.",
        max_length=400_000,
    )
    send_at = forms.DateTimeField(
        required=False,
        label="Send at (UTC)",
        help_text="Empty: now.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["senders"].queryset = PhoneNumber.objects.for_workspace(workspace)

    def audience_value(self) -> dict:
        data = self.cleaned_data
        if data["audience"] == "all":
            return {"all": True}
        if data["audience"] == "numbers":
            raw = (data.get("numbers") or "").replace(",", "\n").splitlines()
            return {"numbers": [n.strip() for n in raw if n.strip()]}
        return {"tag": data.get("tag") or ""}


def _composer_args(form: ComposerForm) -> dict:
    return {
        "from_": [n.number for n in form.cleaned_data["senders"]],
        "body": form.cleaned_data["body"],
        "audience": form.audience_value(),
    }


@require_GET
@compliance_manager_required
def broadcast_list(request: HttpRequest) -> HttpResponse:
    rows = list(Broadcast.objects.for_workspace(request.workspace)[:50])
    return render(
        request,
        "messaging/broadcast_list.html",
        {"nav": "broadcasts", "rows": [(b, broadcast_selectors.broadcast_counts(b)) for b in rows]},
    )


@require_http_methods(["GET", "POST"])
@compliance_manager_required
def broadcast_new(request: HttpRequest) -> HttpResponse:
    initial = {"tag": request.GET.get("tag", "")[:64]}
    numbers = PhoneNumber.objects.for_workspace(request.workspace)
    if numbers.count() == 1:
        initial["senders"] = list(numbers)
    form = ComposerForm(request.POST or None, workspace=request.workspace, initial=initial)
    if request.method == "POST" and form.is_valid():
        send_at = form.cleaned_data.get("send_at")
        try:
            broadcast = broadcasts.broadcast_create(
                workspace=request.workspace,
                name=form.cleaned_data.get("name") or "",
                send_at=send_at,
                created_by=request.user,
                **_composer_args(form),
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            flash.success(
                request,
                "The broadcast is on its way."
                if not send_at or send_at <= timezone.now()
                else "The broadcast is scheduled.",
            )
            return redirect("broadcast-detail", pk=broadcast.pk)
    return render(
        request,
        "messaging/broadcast_new.html",
        {
            "nav": "broadcasts",
            "form": form,
            "all_tags": Tag.objects.for_workspace(request.workspace).values_list("name", flat=True)[
                :200
            ],
        },
        status=400 if form.errors else 200,
    )


def _form_error(form: ComposerForm, exc: DomainError) -> None:
    field = {"from": "senders", "audience": "audience", "body": "body"}.get(exc.field or "")
    form.add_error(field, exc.detail)


@require_POST
@compliance_manager_required
def broadcast_preview(request: HttpRequest) -> HttpResponse:
    form = ComposerForm(request.POST, workspace=request.workspace)
    context: dict = {"form": form}
    if form.is_valid():
        try:
            draft = broadcasts.broadcast_draft(
                workspace=request.workspace,
                **_composer_args(form),
                send_at=form.cleaned_data.get("send_at"),
            )
            context["preview"] = broadcast_selectors.preview(draft)
        except DomainError as exc:
            context["problem"] = exc.detail
    else:
        context["problem"] = "; ".join(
            f"{form.fields[f].label or f}: {' '.join(e)}" if f in form.fields else " ".join(e)
            for f, e in form.errors.items()
        )
    return render(request, "messaging/_broadcast_preview.html", context)


def _detail_context(request: HttpRequest, broadcast: Broadcast) -> dict:
    counts = broadcast_selectors.broadcast_counts(broadcast)
    done = counts["sent"] + counts["failed"]
    status = request.GET.get("status", "")
    status = status if status in RecipientStatus.values else ""
    try:
        after = max(0, int(request.GET.get("after", "0")[:18] or 0))
    except ValueError:
        after = 0
    rows, next_after = broadcast_selectors.recipients_page(
        broadcast, status=status, after=after, size=PAGE_SIZE
    )
    senders = PhoneNumber.objects.filter(pk__in=broadcast.senders)
    return {
        "nav": "broadcasts",
        "broadcast": broadcast,
        "counts": counts,
        "senders": senders,
        "active": broadcast.status in ACTIVE,
        "percent": int(100 * done / counts["eligible"]) if counts["eligible"] else 100,
        "done_count": done,
        "rows": rows,
        "next_after": next_after,
        "status_filter": status,
        "statuses": RecipientStatus.choices,
    }


@require_http_methods(["GET", "POST"])
@compliance_manager_required
def broadcast_detail(request: HttpRequest, pk: int) -> HttpResponse:
    broadcast = get_for_workspace_or_404(Broadcast, request.workspace, pk=pk)
    if request.method == "POST":
        action = {
            "pause": broadcasts.broadcast_pause,
            "resume": broadcasts.broadcast_resume,
            "cancel": broadcasts.broadcast_cancel,
        }.get(request.POST.get("action", ""))
        if action is None:
            raise Http404("No such action.")
        try:
            broadcast = action(broadcast=broadcast)
        except DomainError as exc:
            flash.error(request, exc.detail)
            return render(
                request,
                "messaging/broadcast_detail.html",
                _detail_context(request, broadcast),
                status=http_status(exc.code),
            )
        flash.success(request, f"The broadcast is {broadcast.get_status_display().lower()}.")
        return redirect("broadcast-detail", pk=broadcast.pk)
    return render(request, "messaging/broadcast_detail.html", _detail_context(request, broadcast))


@require_GET
@compliance_manager_required
def broadcast_live(request: HttpRequest, pk: int) -> HttpResponse:
    broadcast = get_for_workspace_or_404(Broadcast, request.workspace, pk=pk)
    return render(
        request, "messaging/_broadcast_progress.html", _detail_context(request, broadcast)
    )


@require_GET
@compliance_manager_required
def broadcast_report_csv(request: HttpRequest, pk: int) -> HttpResponse:
    broadcast = get_for_workspace_or_404(Broadcast, request.workspace, pk=pk)
    return stream_csv(
        f"broadcast-{broadcast.pk}-report.csv",
        broadcast_selectors.REPORT_HEADER,
        broadcast_selectors.report_rows(broadcast),
    )
