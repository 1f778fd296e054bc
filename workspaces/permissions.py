"""Role checks for pages: every page works inside the request's workspace."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .models import Role


def member_required(view):
    """Any member of the current workspace (agents included)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.workspace is None:
            return render(request, "no_workspace.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _no_access(request, area: str, sentence: str = ""):
    return render(request, "403_role.html", {"area": area, "sentence": sentence}, status=403)


def compliance_manager_required(view):
    """Admins and managers: the Compliance Center."""

    @member_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.membership.can_manage_compliance:
            return _no_access(request, "the Compliance Center")
        return view(request, *args, **kwargs)

    return wrapper


def settings_reader_required(view):
    """Admins and managers: the Settings pages (managers read them; agents never see them)."""

    @member_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.membership.can_manage_compliance:
            return _no_access(request, "Settings")
        return view(request, *args, **kwargs)

    return wrapper


def admin_required(view):
    """Admins only: every change in Settings."""

    @member_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.membership.can_manage_compliance:
            return _no_access(request, "Settings")
        if request.membership.role != Role.ADMIN:
            return _no_access(request, "Settings", "Only an Admin of this workspace can do this.")
        return view(request, *args, **kwargs)

    return wrapper
