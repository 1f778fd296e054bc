"""Phone numbers: the workspace's numbers, adding one (E.164), a number's details, its label and
its removal (refused while opt-outs were made on it)."""

from django.contrib import messages as flash
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from compliance_center.errors import DomainError
from compliance_center.phone import pretty

from .. import services
from ..forms import PhoneNumberAddForm, PhoneNumberLabelForm
from ..models import PhoneNumber
from ..permissions import admin_required, settings_reader_required
from ..tenancy import get_for_workspace_or_404
from ..twilio_check import webhook_urls
from .common import error_to_form, render_settings


def _list_page(request, form=None):
    return render_settings(
        request,
        "numbers.html",
        "numbers",
        numbers=PhoneNumber.objects.for_workspace(request.workspace).order_by("number"),
        form=form or PhoneNumberAddForm(),
        urls=webhook_urls(),
    )


@settings_reader_required
def numbers(request):
    return _list_page(request)


@require_POST
@admin_required
def number_add(request):
    form = PhoneNumberAddForm(request.POST)
    if form.is_valid():
        try:
            added = services.phone_number_add(
                workspace=request.workspace,
                number=form.cleaned_data["number"],
                label=form.cleaned_data["label"],
                actor=request.user,
            )
        except DomainError as exc:
            error_to_form(form, exc)
        else:
            flash.success(
                request,
                f"{pretty(added.number)} added. In Twilio, point its “A message comes in” "
                "webhook at the URL shown on this page.",
            )
            return redirect("settings:number", pk=added.pk)
    return _list_page(request, form)


def _number_page(request, number, label_form=None):
    return render_settings(
        request,
        "number.html",
        "numbers",
        number=number,
        label_form=label_form or PhoneNumberLabelForm(initial={"label": number.label}),
        impact=services.phone_number_removal_impact(number),
        urls=webhook_urls(),
    )


@settings_reader_required
def number(request, pk: int):
    return _number_page(request, get_for_workspace_or_404(PhoneNumber, request.workspace, pk=pk))


@require_POST
@admin_required
def number_label(request, pk: int):
    found = get_for_workspace_or_404(PhoneNumber, request.workspace, pk=pk)
    form = PhoneNumberLabelForm(request.POST)
    if form.is_valid():
        try:
            services.phone_number_relabel(
                number=found, label=form.cleaned_data["label"], actor=request.user
            )
        except DomainError as exc:
            error_to_form(form, exc)
        else:
            flash.success(request, "Label saved.")
            return redirect("settings:number", pk=found.pk)
    return _number_page(request, found, label_form=form)


@require_POST
@admin_required
def number_remove(request, pk: int):
    found = get_for_workspace_or_404(PhoneNumber, request.workspace, pk=pk)
    try:
        services.phone_number_remove(number=found, actor=request.user)
    except DomainError as exc:
        flash.error(request, exc.detail)
        return redirect("settings:number", pk=found.pk)
    flash.success(request, f"{pretty(found.number)} removed from this workspace.")
    return redirect("settings:numbers")
