"""Pages of tenancy: home and the workspace switcher."""

from django.http import Http404
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
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
    return redirect(_safe_next(request) or "home")


def _safe_next(request) -> str | None:
    """`next` when it is a page of this site (same host, and https if this request is), else
    None: the switcher is never a way off-site (an open redirect)."""
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return None
