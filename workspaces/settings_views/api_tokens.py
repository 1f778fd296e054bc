"""API tokens: create one (shown once), see when each was last used, revoke."""

from django.conf import settings
from django.contrib import messages as flash
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from compliance_center.errors import DomainError

from .. import services
from ..authentication import LAST_USED_EVERY_SECONDS
from ..forms import ApiTokenForm
from ..models import ApiToken
from ..permissions import admin_required, settings_reader_required
from ..tenancy import get_for_workspace_or_404
from .common import error_to_form, render_settings, show_once, take_shown_once


def _page(request, form=None):
    return render_settings(
        request,
        "tokens.html",
        "tokens",
        tokens=ApiToken.objects.for_workspace(request.workspace)
        .select_related("created_by")
        .order_by("revoked_at", "-created_at"),
        form=form or ApiTokenForm(),
        created=take_shown_once(request, "api_token"),
        cache_seconds=settings.PROCESS_CACHE_SECONDS,
        last_used_every=LAST_USED_EVERY_SECONDS,
        api_base=settings.PUBLIC_BASE_URL + "/api/v1",
    )


@settings_reader_required
def tokens(request):
    return _page(request)


@require_POST
@admin_required
def token_create(request):
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            raw = services.api_token_create(
                workspace=request.workspace, name=form.cleaned_data["name"], created_by=request.user
            )
        except DomainError as exc:
            error_to_form(form, exc)
        else:
            show_once(request, "api_token", token=raw, name=form.cleaned_data["name"])
            return redirect("settings:tokens")
    return _page(request, form)


@require_POST
@admin_required
def token_revoke(request, pk: int):
    found = get_for_workspace_or_404(ApiToken, request.workspace, pk=pk)
    services.api_token_revoke(token=found, actor=request.user)
    flash.success(
        request,
        f"Token “{found.name}” revoked. This server refuses it now; every server process does "
        f"within {settings.PROCESS_CACHE_SECONDS} seconds.",
    )
    return redirect("settings:tokens")
