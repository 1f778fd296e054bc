"""Phone simulator (embedded mode only): play a contact's phone through the real webhook path."""

from django.shortcuts import render

from workspaces.permissions import member_required


@member_required
def phone(request):
    return render(request, "messaging/simulator.html", {"nav": "simulator"})
