"""What messaging says when a tenant changes: removing a number takes its conversations along."""

from typing import Any

from django.dispatch import receiver

from workspaces.signals import RemovalImpact, phone_number_removal

from .models import Conversation


@receiver(phone_number_removal, dispatch_uid="messaging.conversations_go_with_their_number")
def conversations_go_with_their_number(
    sender: type, number: Any, **kwargs: Any
) -> RemovalImpact | None:
    count = Conversation.objects.filter(phone_number=number).count()
    if not count:
        return None
    what = "Its conversation" if count == 1 else f"Its {count} conversations"
    return RemovalImpact(
        consequences=[f"{what} and their messages are deleted with it (the consent ledger stays)."]
    )
