"""Settings → CRM webhooks: endpoints notified of every opt-out and opt-in (the signing secret
shown once), enabling and disabling them, a signed test delivery, and each endpoint's delivery
log with "Resend". Admins change things, managers read."""

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from compliance_center.errors import DomainError
from workspaces.permissions import admin_required, settings_reader_required
from workspaces.settings_views.common import (
    error_to_form,
    render_settings,
    show_once,
    take_shown_once,
)
from workspaces.tenancy import get_for_workspace_or_404

from .. import services
from ..forms import WebhookEndpointForm
from ..models import WebhookDelivery, WebhookEndpoint
from .common import PAGE_SIZE


def _list_page(request, form=None):
    latest = WebhookDelivery.objects.filter(endpoint=OuterRef("pk")).order_by("-created_at", "-id")
    endpoints = (
        WebhookEndpoint.objects.for_workspace(request.workspace)
        .annotate(
            last_status=Subquery(latest.values("status")[:1]),
            last_at=Subquery(latest.values("updated_at")[:1]),
        )
        .order_by("created_at")
    )
    return render_settings(
        request,
        "webhooks.html",
        "webhooks",
        endpoints=endpoints,
        form=form or WebhookEndpointForm(),
        created=take_shown_once(request, "crm_secret"),
    )


@settings_reader_required
def endpoints(request):
    return _list_page(request)


@require_POST
@admin_required
def endpoint_add(request):
    form = WebhookEndpointForm(request.POST)
    if form.is_valid():
        try:
            endpoint = services.webhook_endpoint_create(
                workspace=request.workspace, url=form.cleaned_data["url"], actor=request.user
            )
        except DomainError as exc:
            error_to_form(form, exc)
        else:
            show_once(request, "crm_secret", secret=endpoint.secret, endpoint=endpoint.pk)
            return redirect("webhooks:endpoint", pk=endpoint.pk)
    return _list_page(request, form)


@settings_reader_required
def endpoint(request, pk: int):
    found = get_for_workspace_or_404(WebhookEndpoint, request.workspace, pk=pk)
    deliveries = found.deliveries.select_related("event__contact").order_by("-created_at", "-id")
    page = Paginator(deliveries, PAGE_SIZE).get_page(request.GET.get("page"))
    created = take_shown_once(request, "crm_secret")
    return render_settings(
        request,
        "webhook.html",
        "webhooks",
        endpoint=found,
        page=page,
        created=created if created and created.get("endpoint") == found.pk else None,
    )


@require_POST
@admin_required
def endpoint_toggle(request, pk: int):
    found = get_for_workspace_or_404(WebhookEndpoint, request.workspace, pk=pk)
    services.webhook_endpoint_set_active(
        endpoint=found, is_active=not found.is_active, actor=request.user
    )
    flash.success(
        request,
        "Enabled: new opt-outs and opt-ins are sent to it."
        if found.is_active
        else "Disabled: nothing is sent to it until you enable it again.",
    )
    return redirect("webhooks:endpoint", pk=found.pk)


@require_POST
@admin_required
def endpoint_remove(request, pk: int):
    found = get_for_workspace_or_404(WebhookEndpoint, request.workspace, pk=pk)
    services.webhook_endpoint_remove(endpoint=found, actor=request.user)
    flash.success(request, f"{found.url} deleted, with its delivery log.")
    return redirect("webhooks:endpoints")


@require_POST
@admin_required
def endpoint_test(request, pk: int):
    found = get_for_workspace_or_404(WebhookEndpoint, request.workspace, pk=pk)
    delivery = services.webhook_test_send(endpoint=found, actor=request.user)
    delivery.refresh_from_db()
    if delivery.status == WebhookDelivery.Status.DELIVERED:
        flash.success(request, f"Test delivered: your endpoint answered {delivery.response_code}.")
    elif delivery.status == WebhookDelivery.Status.FAILED:
        flash.error(request, f"Test failed: {delivery.last_error}")
    else:
        flash.success(request, "Test queued: its result appears in the log below.")
    return redirect("webhooks:endpoint", pk=found.pk)


@require_POST
@admin_required
def delivery_resend(request, pk: int):
    found = get_for_workspace_or_404(
        WebhookDelivery.objects.select_related("endpoint"),
        request.workspace,
        pk=pk,
        workspace_field="endpoint__workspace",
    )
    try:
        services.webhook_delivery_resend(delivery=found, actor=request.user)
    except DomainError as exc:
        flash.error(request, exc.detail)
    else:
        flash.success(request, f"Delivery #{found.pk} is being sent again.")
    return redirect("webhooks:endpoint", pk=found.endpoint_id)
