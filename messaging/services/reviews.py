"""Revocation reviews decided by a person (in the thread, the Compliance Center or the API):
optout records the decision in the ledger; an opt-out is confirmed to the contact, in the
language they wrote in, from the number they texted — as any other opt-out."""

from typing import Any

from django.db import transaction

from optout import replies
from optout.models import ConsentEvent, RevocationReview
from optout.selectors import compliance_settings_for, reply_overrides_for
from optout.services import revocation_review_resolve

from ..models import Conversation, MessageSource
from .conversations import conversation_get_or_create
from .outbound import outbound_store


@transaction.atomic
def review_decide(
    *, review: RevocationReview, decision: str, reason: str, actor: Any = None
) -> ConsentEvent:
    event = revocation_review_resolve(review=review, decision=decision, reason=reason, actor=actor)
    if decision != RevocationReview.Decision.OPT_OUT or event.repeat:
        return event
    rules = compliance_settings_for(review.workspace)
    if not rules.opt_out_confirmation_enabled:
        return event
    text = replies.choose(
        kind=replies.OPT_OUT,
        language=review.language,
        country="",
        overrides=reply_overrides_for(review.workspace),
        workspace_text=rules.opt_out_confirmation_text,
    ).text
    _, conversation = conversation_get_or_create(
        workspace=review.workspace, phone_number=review.phone_number, phone=review.contact.phone
    )
    message = outbound_store(conversation=conversation, body=text, source=MessageSource.SYSTEM)
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=message.created_at)
    return event
