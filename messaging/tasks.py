"""Celery tasks of messaging: thin wrappers that load ids and call a service."""

import logging

from celery import shared_task
from django.conf import settings

from compliance_center.dispatch import Job, publish

from .services import consent, delivery, inbound, outbound, sweep

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def inbound_process(inbound_id: int) -> None:
    inbound.inbound_process_counted(inbound_id=inbound_id)


@shared_task(
    acks_late=True,
    autoretry_for=(delivery.DeliveryDeferred,),
    retry_backoff=settings.SEND_RETRY_BACKOFF,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=settings.SEND_MAX_RETRIES,
)
def message_deliver(message_id: int) -> None:
    delivery.message_deliver(message_id=message_id)


@shared_task(acks_late=True)
def double_opt_in_request_send(opt_in_id: int) -> None:
    consent.double_opt_in_request_send(opt_in_id=opt_in_id)


@shared_task(acks_late=True)
def message_reconcile(message_id: int) -> None:
    delivery.message_reconcile(message_id=message_id)


@shared_task(acks_late=True)
def messaging_sweep() -> dict[str, int]:
    """Re-queues inbound rows and queued messages left behind by a broker or worker failure,
    and has messages left half-sent looked up at Twilio."""
    after = settings.SWEEP_AFTER_SECONDS
    lost_inbound = sweep.lost_inbound(older_than_seconds=after)
    lost_messages = sweep.lost_queued_messages(older_than_seconds=after)
    half_sent = sweep.lost_sending_messages(older_than_seconds=after)
    sweep.mark_swept(lost_inbound)
    for inbound_id in lost_inbound:
        publish(Job.INBOUND_PROCESS, inbound_id, queue=inbound.INBOUND_QUEUE)
    for message_id in lost_messages:
        publish(Job.MESSAGE_DELIVER, message_id)
    for message_id in half_sent:
        publish(Job.MESSAGE_RECONCILE, message_id)
    released = outbound.held_sends_release()
    if lost_inbound or lost_messages or half_sent:
        logger.info(
            "swept %s inbound, %s queued, %s half-sent",
            len(lost_inbound),
            len(lost_messages),
            len(half_sent),
        )
    else:
        logger.debug("swept nothing")
    result = {"inbound": len(lost_inbound), "messages": len(lost_messages)}
    return {**result, "sending": len(half_sent), "released": released}


# ---------------------------------------------------------------- broadcasts

# In eager mode (tests, CELERY_TASK_ALWAYS_EAGER) a step does not queue the next one (that would
# recurse): it steps again in place while recipients are handed over, at most this often.
EAGER_STEPS = 50


@shared_task(acks_late=True)
def broadcast_prepare(broadcast_id: int) -> str:
    from .broadcasts import services as broadcasts

    return broadcasts.broadcast_prepare(broadcast_id=broadcast_id)


@shared_task(acks_late=True, bind=True)
def broadcast_step(self, broadcast_id: int) -> int:
    """One step, then the next one queued after the pause the step asks for: a chain per
    sending broadcast (the sweeper starts it again if it is lost)."""
    from .broadcasts import services as broadcasts

    step = broadcasts.broadcast_step(broadcast_id=broadcast_id)
    if self.request.is_eager:
        made, rounds = step.made, 1
        while step.again_in is not None and step.made and rounds < EAGER_STEPS:
            step = broadcasts.broadcast_step(broadcast_id=broadcast_id)
            made, rounds = made + step.made, rounds + 1
        return made
    if step.again_in is not None:
        publish(Job.BROADCAST_STEP, broadcast_id, countdown=step.again_in)
    return step.made


@shared_task(acks_late=True)
def broadcasts_sweep() -> dict[str, int]:
    """Scheduled broadcasts whose time has come, and sending ones whose step chain was lost."""
    from .broadcasts import services as broadcasts

    lost = broadcasts.lost_broadcasts(older_than_seconds=settings.SWEEP_AFTER_SECONDS)
    for broadcast_id in lost.prepare:
        publish(Job.BROADCAST_PREPARE, broadcast_id)
    for broadcast_id in lost.step:
        publish(Job.BROADCAST_STEP, broadcast_id)
    return {"prepare": len(lost.prepare), "step": len(lost.step)}
