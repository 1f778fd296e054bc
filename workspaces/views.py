"""Pages of tenancy: home and the workspace switcher."""

from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from .middleware import SESSION_KEY
from .permissions import member_required


@member_required
def home(request):
    return redirect("inbox")


@require_POST
@member_required
def switch_workspace(request):
    try:
        wanted = int(request.POST.get("workspace", ""))
    except ValueError as exc:
        raise Http404 from exc
    if not any(m.workspace_id == wanted for m in request.memberships):
        raise Http404
    request.session[SESSION_KEY] = wanted
    return redirect(request.POST.get("next") or "home")
