"""Revocation reviews, in the Compliance Center: texts that may revoke consent, open ones first
and the most overdue on top, each decided with a reason (the same decision as in the thread)."""

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from compliance_center.errors import DomainError
from compliance_center.phone import pretty
from optout.models import RevocationReview
from workspaces.permissions import compliance_manager_required
from workspaces.tenancy import get_for_workspace_or_404

from .services.reviews import review_decide

PAGE_SIZE = 50


@require_GET
@compliance_manager_required
def reviews(request: HttpRequest) -> HttpResponse:
    rows = (
        RevocationReview.objects.for_workspace(request.workspace)
        .select_related("contact", "phone_number", "resolved_by")
        .order_by("-status", "due_at", "id")  # "open" sorts after "resolved": reversed
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    open_rows = rows.filter(status=RevocationReview.Status.OPEN)
    return render(
        request,
        "messaging/reviews.html",
        {
            "nav": "compliance",
            "tab": "reviews",
            "page": page,
            "now": now,
            "open_count": open_rows.count(),
            "overdue_count": open_rows.filter(due_at__lt=now).count(),
        },
    )


@require_POST
@compliance_manager_required
def review_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_for_workspace_or_404(RevocationReview, request.workspace, pk=pk)
    try:
        review_decide(
            review=review,
            decision=request.POST.get("decision", ""),
            reason=request.POST.get("reason", ""),
            actor=request.user,
        )
    except DomainError as exc:
        flash.error(request, exc.detail)
    else:
        who = review.contact.name or pretty(review.contact.phone)
        flash.success(
            request,
            f"{who}: opted out and confirmed to the contact."
            if request.POST.get("decision") == RevocationReview.Decision.OPT_OUT
            else f"{who}: recorded as not a revocation.",
        )
    return redirect("revocation-reviews")
