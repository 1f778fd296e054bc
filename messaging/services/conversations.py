"""Conversations: one thread per workspace number × contact."""

from typing import Any

from compliance_center.db import get_or_insert
from optout.models import ConsentEvent
from optout.services import opt_out_manual
from workspaces.models import Contact, PhoneNumber, Workspace
from workspaces.services import contact_get_or_insert

from ..models import Conversation


def conversation_get_or_create(
    *, workspace: Workspace, phone_number: PhoneNumber, phone: str
) -> tuple[Contact, Conversation]:
    """The contact with `phone` and its conversation with `phone_number`, each made if missing.
    A contact just inserted has no conversation yet, so its conversation is inserted without
    reading first."""
    contact, inserted = contact_get_or_insert(workspace=workspace, phone=phone)
    conversation, _ = get_or_insert(
        Conversation,
        {"phone_number": phone_number, "contact": contact},
        read_first=not inserted,
        workspace=workspace,
    )
    return contact, conversation


def conversation_mark_read(*, conversation: Conversation) -> None:
    """The agent has the thread in front of them: nothing in it is unread any more."""
    if conversation.unread_count:
        Conversation.objects.filter(pk=conversation.pk).update(unread_count=0)
        conversation.unread_count = 0


def conversation_opt_out(*, conversation: Conversation, actor: Any, reason: str) -> ConsentEvent:
    """An agent opts the contact out by hand ("Contact asked by phone to stop"), with a reason:
    the same audited opt-out as the Compliance Center's manual one."""
    return opt_out_manual(
        workspace=conversation.workspace,
        contact_phone=conversation.contact.phone,
        phone_number=conversation.phone_number,
        actor=actor,
        reason=reason,
    )
