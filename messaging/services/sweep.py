"""Finding the rows whose task was lost (broker outage, worker killed): the sweeper re-queues
them, so an inbound text or a queued message is never left behind."""

from datetime import timedelta

from django.utils import timezone

from ..models import InboundMessage, Message, MessageStatus


def lost_inbound(*, older_than_seconds: int, limit: int = 1000) -> list[int]:
    """Inbound rows still unprocessed after `older_than_seconds`, oldest first."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(
        InboundMessage.objects.filter(processed_at__isnull=True, received_at__lt=cutoff)
        .order_by("received_at")
        .values_list("id", flat=True)[:limit]
    )


def lost_queued_messages(*, older_than_seconds: int, limit: int = 1000) -> list[int]:
    """Messages still queued `older_than_seconds` after their last change, oldest first."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(
        Message.objects.filter(status=MessageStatus.QUEUED, updated_at__lt=cutoff)
        .order_by("updated_at")
        .values_list("id", flat=True)[:limit]
    )
