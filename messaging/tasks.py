"""Celery tasks of messaging: thin wrappers that load ids and call a service."""

from celery import shared_task
from django.conf import settings

from . import services


@shared_task(acks_late=True)
def process_inbound(inbound_id: int) -> None:
    services.inbound_process(inbound_id=inbound_id)


@shared_task(bind=True, acks_late=True, max_retries=None)
def send_message(self, message_id: int) -> None:
    outcome = services.message_deliver(message_id=message_id)
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in)


@shared_task(acks_late=True)
def sweep_unprocessed() -> dict:
    """Re-queues inbound rows and messages left behind by a broker or worker failure."""
    inbound, queued = services.sweep_unprocessed(older_than_seconds=settings.SWEEP_AFTER_SECONDS)
    for inbound_id in inbound:
        process_inbound.delay(inbound_id)
    for message_id in queued:
        send_message.delay(message_id)
    return {"inbound": len(inbound), "messages": len(queued)}
