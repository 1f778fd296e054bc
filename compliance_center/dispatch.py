"""The one way work leaves a transaction for the queue.

Every job is a row first (an inbound text, a queued message, a pending CRM delivery) and a task
second: `enqueue` publishes the task after the row's transaction commits, and a broker that is
down is logged, never raised, so the caller (a carrier webhook, an API call) still gets its
answer. Each app's sweeper re-publishes the rows whose task was lost. Services name jobs from
`Job`; they never import a task module, so no layer imports the one above it to queue work.
"""

import logging
from enum import StrEnum
from functools import partial

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)


class Job(StrEnum):
    """Every task the project queues, by its registered name (queues: CELERY_TASK_ROUTES)."""

    INBOUND_PROCESS = "messaging.tasks.inbound_process"
    MESSAGE_DELIVER = "messaging.tasks.message_deliver"
    MESSAGE_RECONCILE = "messaging.tasks.message_reconcile"
    MESSAGING_SWEEP = "messaging.tasks.messaging_sweep"
    DOUBLE_OPT_IN_REQUEST_SEND = "messaging.tasks.double_opt_in_request_send"
    CONSENT_MAINTENANCE = "optout.tasks.consent_maintenance"
    WEBHOOK_DELIVERY_ATTEMPT = "optout.tasks.webhook_delivery_attempt"
    WEBHOOK_DELIVERIES_SWEEP = "optout.tasks.webhook_deliveries_sweep"
    BROADCAST_PREPARE = "messaging.tasks.broadcast_prepare"
    BROADCAST_STEP = "messaging.tasks.broadcast_step"
    BROADCASTS_SWEEP = "messaging.tasks.broadcasts_sweep"
    IMPORT_PROCESS = "optout.tasks.import_process"
    IMPORTS_SWEEP = "optout.tasks.imports_sweep"


# One immediate second try (a pooled connection gone stale when Redis restarted reconnects on
# it), no sleeping: a request never waits on a dead broker (BROKER_CONNECT_TIMEOUT bounds each
# try), and what was not published is swept.
PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0,
    "interval_max": 0,
}


def publish(
    job: Job, *args: object, queue: str | None = None, countdown: float | None = None
) -> bool:
    """Publishes `job(*args)` now (to run after `countdown` seconds, if given); False (logged)
    when the broker cannot take it. The row the job is about is already stored, and its sweeper
    publishes it again later."""
    options: dict[str, object] = {"queue": queue} if queue else {}
    if countdown:
        options["countdown"] = countdown
    try:
        current_app.tasks[job.value].apply_async(
            args, retry=True, retry_policy=PUBLISH_RETRY_POLICY, **options
        )
    except Exception:
        logger.exception("could not queue %s%s; the sweeper will retry", job.value, args)
        return False
    return True


def enqueue(
    job: Job, *args: object, queue: str | None = None, countdown: float | None = None
) -> None:
    """Publishes `job(*args)` once the current transaction commits (at once outside one).

    Robust: a failing publish never keeps the other callbacks of the commit from running."""
    transaction.on_commit(
        partial(publish, job, *args, queue=queue, countdown=countdown), robust=True
    )
