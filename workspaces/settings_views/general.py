"""General: the workspace's name and time zone, and the set-up checklist of a new workspace."""

from django.contrib import messages as flash
from django.shortcuts import redirect

from compliance_center import time_zones
from compliance_center.errors import DomainError

from .. import selectors, services
from ..forms import GeneralForm
from ..permissions import admin_required, settings_reader_required
from .common import error_to_form, render_settings


def _page(request, form=None):
    workspace = request.workspace
    steps = selectors.setup_checklist(workspace)
    return render_settings(
        request,
        "general.html",
        "general",
        form=form
        or GeneralForm(initial={"name": workspace.name, "time_zone": workspace.time_zone}),
        time_zone_names=time_zones.time_zone_names(),
        steps=steps,
        setup_done=all(s.done for s in steps if not s.optional),
    )


@settings_reader_required
def general(request):
    if request.method != "POST":
        return _page(request)
    return general_save(request)


@admin_required
def general_save(request):
    form = GeneralForm(request.POST)
    if form.is_valid():
        try:
            changed = services.workspace_update(
                workspace=request.workspace, actor=request.user, **form.cleaned_data
            )
        except DomainError as exc:
            error_to_form(form, exc)
        else:
            flash.success(request, "Saved." if changed else "Nothing changed.")
            return redirect("settings:general")
    return _page(request, form)
