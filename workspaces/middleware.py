"""Puts the current workspace and the user's membership in it on every page request, and shows
dates in the workspace's time zone and phone numbers in its country's format."""

import zoneinfo

from django.utils import timezone

from compliance_center.phone import activate_display_region, deactivate_display_region

from .selectors import display_region, memberships_of

SESSION_KEY = "workspace_id"


class CurrentWorkspaceMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.workspace = None
        request.membership = None
        request.memberships = []
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            request.memberships = memberships_of(user)
            wanted = request.session.get(SESSION_KEY)
            chosen = next((m for m in request.memberships if m.workspace_id == wanted), None)
            chosen = chosen or (request.memberships[0] if request.memberships else None)
            if chosen:
                request.membership, request.workspace = chosen, chosen.workspace
        try:
            timezone.activate(zoneinfo.ZoneInfo(request.workspace.time_zone))
        except (AttributeError, zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()  # no workspace (API calls, the login page): UTC
        if request.workspace is not None:
            activate_display_region(display_region(request.workspace))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
            deactivate_display_region()
