"""Finding the rows whose task was lost (broker outage, worker killed): the sweeper re-queues
them, so an inbound text or a queued message is never left behind. Fair: a row that failed
before waits longer each time (and is swept after the rows that never failed), and a dead letter
is never swept, so a few poisoned rows cannot starve the others."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from ..models import InboundMessage, Message, MessageStatus

# The longest a send can be in the Twilio call (the HTTP client's timeout) before its message
# is looked up at Twilio: a live worker has long answered by then.
SENDING_RECONCILE_AFTER_SECONDS = 60


def lost_inbound(*, older_than_seconds: int, limit: int = 1000) -> list[int]:
    """Inbound rows still unprocessed: never attempted for `older_than_seconds`, or failed and
    waiting out their backoff (`older_than_seconds` doubled per failure, up to 64 times).
    Never-attempted rows first, then by arrival."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=older_than_seconds)
    never_tried = Q(attempts=0, received_at__lt=cutoff)
    retry_due = Q(attempts__gt=0)
    due_rows = (
        InboundMessage.objects.filter(processed_at__isnull=True, dead_at__isnull=True)
        .filter(never_tried | retry_due)
        .filter(Q(swept_at__isnull=True) | Q(swept_at__lt=cutoff))
        .order_by("attempts", "received_at")
        .values_list("id", "attempts", "last_attempt_at", "swept_at")
    )
    due = []
    for inbound_id, attempts, last_attempt_at, swept_at in due_rows[: limit * 2]:
        times = [t for t in (last_attempt_at, swept_at) if t is not None]
        last = max(times) if attempts and times else None
        if last is not None:
            wait = timedelta(seconds=older_than_seconds * 2 ** min(attempts - 1, 6))
            if last > now - wait:
                continue
        due.append(inbound_id)
        if len(due) >= limit:
            break
    return due


def mark_swept(inbound_ids: list[int]) -> None:
    """The rows the sweeper queued again: the next sweeps leave them alone for a while."""
    if inbound_ids:
        InboundMessage.objects.filter(id__in=inbound_ids).update(swept_at=timezone.now())


def lost_queued_messages(*, older_than_seconds: int, limit: int = 1000) -> list[int]:
    """Messages still queued `older_than_seconds` after their last change, oldest first."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(
        Message.objects.filter(status=MessageStatus.QUEUED, updated_at__lt=cutoff)
        .order_by("updated_at")
        .values_list("id", flat=True)[:limit]
    )


def lost_sending_messages(*, older_than_seconds: int, limit: int = 1000) -> list[int]:
    """Messages left in `sending` with no provider id: the worker died during (or right after)
    the Twilio call. Each is looked up at Twilio before anything is sent again."""
    wait = max(older_than_seconds, SENDING_RECONCILE_AFTER_SECONDS)
    cutoff = timezone.now() - timedelta(seconds=wait)
    return list(
        Message.objects.filter(
            status=MessageStatus.SENDING, provider_sid__isnull=True, updated_at__lt=cutoff
        )
        .order_by("updated_at")
        .values_list("id", flat=True)[:limit]
    )
