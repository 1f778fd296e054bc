"""Agent inbox pages."""

from django.shortcuts import render

from workspaces.permissions import member_required

from .models import Conversation


@member_required
def inbox(request):
    conversations = (
        Conversation.objects.filter(workspace=request.workspace)
        .select_related("contact", "phone_number")
        .order_by("-last_message_at")[:100]
    )
    return render(request, "messaging/inbox.html", {"nav": "inbox", "conversations": conversations})
