"""Celery tasks of consent: CRM webhook deliveries (their own queue: slow CRMs delay no STOP)."""

from celery import shared_task

from . import crm


@shared_task(bind=True, acks_late=True, max_retries=8)
def deliver_webhook(self, delivery_id: int) -> None:
    retry_in = crm.delivery_attempt(delivery_id=delivery_id, final=self.request.retries >= 8)
    if retry_in is not None:
        raise self.retry(countdown=retry_in)
