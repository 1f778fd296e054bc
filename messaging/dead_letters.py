"""Dead letters, in the Compliance Center: inbound texts that could not be processed after
every attempt, with their error, and a way to process one again once the cause is fixed."""

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from workspaces.permissions import compliance_manager_required
from workspaces.tenancy import get_for_workspace_or_404

from . import selectors
from .models import InboundMessage
from .services.inbound import dead_letter_retry

PAGE_SIZE = 50


@require_GET
@compliance_manager_required
def dead_letters(request: HttpRequest) -> HttpResponse:
    rows = selectors.dead_letters(workspace=request.workspace)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "messaging/dead_letters.html",
        {"nav": "compliance", "tab": "dead-letters", "page": page, "total": rows.count()},
    )


@require_POST
@compliance_manager_required
def dead_letter_retry_view(request: HttpRequest, pk: int) -> HttpResponse:
    inbound = get_for_workspace_or_404(
        InboundMessage.objects.filter(dead_at__isnull=False), request.workspace, pk=pk
    )
    dead_letter_retry(inbound=inbound)
    flash.success(request, f"The text from {inbound.from_number} is queued to be processed again.")
    return redirect("dead-letters")
