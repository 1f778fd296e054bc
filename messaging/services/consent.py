"""Texts that consent itself sends: the double opt-in request. optout records a pending consent
and names this job; messaging sends the request, as a system reply from the number the consent
covers (it never carries the signature and is sent once)."""

from django.db import transaction

from optout.models import OptIn
from optout.selectors import compliance_settings_for
from optout.services import double_opt_in_request_sent, double_opt_in_request_text

from ..models import Conversation, Message, MessageSource
from .conversations import conversation_get_or_create
from .outbound import outbound_store


def double_opt_in_request_send(*, opt_in_id: int) -> Message | None:
    """Sends the request of a pending consent once (a task run twice sends nothing more)."""
    with transaction.atomic():
        opt_in = (
            OptIn.objects.select_for_update(of=("self",))
            .select_related("workspace", "contact", "phone_number")
            .filter(pk=opt_in_id, status=OptIn.Status.PENDING, request_sent_at__isnull=True)
            .first()
        )
        if opt_in is None:
            return None
        rules = compliance_settings_for(opt_in.workspace)
        _, conversation = conversation_get_or_create(
            workspace=opt_in.workspace, phone_number=opt_in.phone_number, phone=opt_in.contact.phone
        )
        message = outbound_store(
            conversation=conversation,
            body=double_opt_in_request_text(opt_in=opt_in, rules=rules),
            source=MessageSource.SYSTEM,
        )
        Conversation.objects.filter(pk=conversation.pk).update(last_message_at=message.created_at)
        double_opt_in_request_sent(opt_in=opt_in)
    return message
