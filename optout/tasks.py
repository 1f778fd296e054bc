"""Celery tasks of consent: CRM webhook deliveries (their own queue: slow CRMs delay no STOP)."""

import logging

from celery import shared_task
from django.conf import settings

from compliance_center.dispatch import Job, publish

from . import crm, selectors, services

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(crm.DeliveryFailed,),
    retry_backoff=True,
    retry_backoff_max=crm.RETRY_BACKOFF_MAX_SECONDS,
    retry_jitter=True,
    max_retries=crm.MAX_RETRIES,
    soft_time_limit=crm.TIMEOUT_SECONDS * 3,
    time_limit=crm.TIMEOUT_SECONDS * 4,
)
def webhook_delivery_attempt(self, delivery_id: int) -> None:
    crm.webhook_delivery_attempt(
        delivery_id=delivery_id, final=self.request.retries >= crm.MAX_RETRIES
    )


@shared_task(acks_late=True)
def webhook_deliveries_sweep() -> int:
    """Re-queues pending CRM deliveries whose task was lost (broker outage, worker lost)."""
    lost = crm.lost_deliveries(older_than_seconds=settings.SWEEP_AFTER_SECONDS)
    for delivery_id in lost:
        publish(Job.WEBHOOK_DELIVERY_ATTEMPT, delivery_id)
    if lost:
        logger.info("swept %s CRM deliveries", len(lost))
    else:
        logger.debug("swept no CRM delivery")
    return len(lost)


@shared_task(acks_late=True)
def consent_maintenance() -> dict[str, int]:
    """Expires double opt-in requests nobody answered in time, and re-queues requests whose task
    was lost."""
    expired = services.consent_requests_expire()
    lost = selectors.lost_consent_requests(older_than_seconds=settings.SWEEP_AFTER_SECONDS)
    for opt_in_id in lost:
        publish(Job.DOUBLE_OPT_IN_REQUEST_SEND, opt_in_id)
    if expired or lost:
        logger.info("expired %s double opt-in requests, re-queued %s", expired, len(lost))
    else:
        logger.debug("no double opt-in request expired or lost")
    return {"expired": expired, "requests": len(lost)}


# ---------------------------------------------------------------- imports


@shared_task(acks_late=True, bind=True)
def import_process(self, import_id: int) -> bool:
    """A slice of an import (IMPORT_SLICE_SECONDS), then the next one queued; in eager mode
    (tests) the whole file at once."""
    from .imports import services as imports

    if self.request.is_eager:
        while imports.import_process(import_id=import_id).again:
            pass
        return False
    again = imports.import_process(import_id=import_id).again
    if again:
        publish(Job.IMPORT_PROCESS, import_id)
    return again


@shared_task(acks_late=True)
def imports_sweep() -> int:
    """Imports whose task was lost (broker outage, worker killed) go on where they stopped."""
    from .imports import services as imports

    lost = imports.lost_imports(older_than_seconds=settings.SWEEP_AFTER_SECONDS)
    for import_id in lost:
        publish(Job.IMPORT_PROCESS, import_id)
    return len(lost)
