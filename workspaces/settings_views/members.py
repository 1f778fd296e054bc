"""Members: who is in the workspace with which role, invitations by email (a one-time link),
changing a role and removing a member (never the last Admin)."""

from django.contrib import messages as flash
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from compliance_center.errors import DomainError

from .. import accounts, services
from ..forms import ROLE_HELP, InviteForm, RoleForm
from ..models import Invitation, Membership, Role
from ..permissions import admin_required, settings_reader_required
from ..tenancy import get_for_workspace_or_404
from .common import error_to_form, render_settings, show_once, take_shown_once


def _page(request, invite_form=None, row_errors=None, status=200):
    workspace = request.workspace
    rank = {role: i for i, role in enumerate(Role.values)}  # Admins first, then Managers, Agents
    members = sorted(
        Membership.objects.for_workspace(workspace).select_related("user"),
        key=lambda m: (rank.get(m.role, len(rank)), m.user.email),
    )
    invitations = (
        Invitation.objects.for_workspace(workspace)
        .filter(accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("invited_by")
        .order_by("email")
    )
    row_errors = row_errors or {}
    return render_settings(
        request,
        "members.html",
        "members",
        status=status,
        members=[
            {
                "membership": m,
                "form": RoleForm(initial={"role": m.role}, prefix=f"m{m.pk}"),
                "error": row_errors.get(m.pk, ""),
                "is_you": m.user_id == request.user.pk,
            }
            for m in members
        ],
        invitations=invitations,
        invite_form=invite_form or InviteForm(),
        issued=take_shown_once(request, "invitation"),
        roles=[(role.label, ROLE_HELP[role]) for role in Role],
        invitation_days=accounts.INVITATION_DAYS,
    )


@settings_reader_required
def members(request):
    return _page(request)


@require_POST
@admin_required
def invite(request):
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            issued = accounts.invitation_create(
                workspace=request.workspace,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
        except DomainError as exc:
            error_to_form(form, exc)
        else:
            show_once(request, "invitation", email=issued.invitation.email, url=issued.url)
            return redirect("settings:members")
    return _page(request, invite_form=form)


@require_POST
@admin_required
def invitation_resend(request, pk: int):
    found = get_for_workspace_or_404(Invitation, request.workspace, pk=pk)
    try:
        issued = accounts.invitation_resend(invitation=found, actor=request.user)
    except DomainError as exc:
        flash.error(request, exc.detail)
    else:
        show_once(request, "invitation", email=issued.invitation.email, url=issued.url)
    return redirect("settings:members")


@require_POST
@admin_required
def invitation_revoke(request, pk: int):
    found = get_for_workspace_or_404(Invitation, request.workspace, pk=pk)
    try:
        accounts.invitation_revoke(invitation=found, actor=request.user)
    except DomainError as exc:
        flash.error(request, exc.detail)
    else:
        flash.success(request, f"Invitation of {found.email} revoked: its link no longer works.")
    return redirect("settings:members")


def _after_own_change(request, membership: Membership):
    """An Admin who gave up their own Admin role (or left) can no longer manage members."""
    if membership.user_id == request.user.pk:
        return redirect("home")
    return redirect("settings:members")


@require_POST
@admin_required
def member_role(request, pk: int):
    found = get_for_workspace_or_404(Membership, request.workspace, pk=pk)
    form = RoleForm(request.POST, prefix=f"m{found.pk}")
    if not form.is_valid():
        return _page(request, row_errors={found.pk: " ".join(form.errors.get("role", []))})
    try:
        changed = services.member_role_change(
            membership=found, role=form.cleaned_data["role"], actor=request.user
        )
    except DomainError as exc:
        return _page(request, row_errors={found.pk: exc.detail})
    flash.success(request, f"{found.user.email} is now {changed.get_role_display()}.")
    if changed.role != Role.ADMIN:
        return _after_own_change(request, found)
    return redirect("settings:members")


@require_POST
@admin_required
def member_remove(request, pk: int):
    found = get_for_workspace_or_404(
        Membership.objects.select_related("user"), request.workspace, pk=pk
    )
    try:
        services.member_remove(membership=found, actor=request.user)
    except DomainError as exc:
        return _page(request, row_errors={found.pk: exc.detail})
    flash.success(request, f"{found.user.email} removed from {request.workspace.name}.")
    return _after_own_change(request, found)
