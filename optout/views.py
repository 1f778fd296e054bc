"""Compliance Center pages (Settings → Compliance Center)."""

from django.shortcuts import render

from workspaces.permissions import compliance_manager_required


@compliance_manager_required
def overview(request):
    return render(request, "optout/overview.html", {"nav": "compliance", "tab": "overview"})
