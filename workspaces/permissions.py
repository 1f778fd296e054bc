"""Role checks for pages: every page works inside the request's workspace."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


def member_required(view):
    """Any member of the current workspace (agents included)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.workspace is None:
            return render(request, "no_workspace.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def compliance_manager_required(view):
    """Admins and managers: the Compliance Center."""

    @member_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.membership.can_manage_compliance:
            return render(request, "403_role.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper
