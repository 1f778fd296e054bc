"""Twilio: the account's credentials (the Auth Token write-only), "Check connection", and the
webhook URLs to paste into Twilio."""

from dataclasses import asdict

from django.contrib import messages as flash
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from compliance_center.errors import DomainError

from .. import services
from ..forms import TwilioForm
from ..permissions import admin_required, settings_reader_required
from ..twilio_check import ConnectionCheck, webhook_urls
from .common import error_to_form, render_settings, show_once, take_shown_once


def _page(request, form=None):
    workspace = request.workspace
    is_set = workspace.twilio_credentials_changed_at is not None
    shown = take_shown_once(request, "twilio_check")
    check = ConnectionCheck(**shown["result"]) if shown else None
    return render_settings(
        request,
        "twilio.html",
        "twilio",
        form=form
        or TwilioForm(
            initial={"account_sid": workspace.twilio_account_sid if is_set else ""},
            credentials_set=is_set,
        ),
        credentials_set=is_set,
        check=check,
        urls=webhook_urls(),
    )


@settings_reader_required
def twilio(request):
    if request.method != "POST":
        return _page(request)
    return twilio_save(request)


@admin_required
def twilio_save(request):
    form = TwilioForm(
        request.POST, credentials_set=request.workspace.twilio_credentials_changed_at is not None
    )
    if form.is_valid():
        try:
            services.twilio_credentials_set(
                workspace=request.workspace, actor=request.user, **form.cleaned_data
            )
        except DomainError as exc:
            error_to_form(form, exc)
        else:
            flash.success(request, "Twilio credentials saved. Check the connection below.")
            return redirect("settings:twilio")
    return _page(request, form)


@require_POST
@settings_reader_required
def twilio_check(request):
    result = services.twilio_check_run(workspace=request.workspace, actor=request.user)
    show_once(request, "twilio_check", result=asdict(result))
    return redirect("settings:twilio")
