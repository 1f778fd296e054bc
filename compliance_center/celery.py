"""The Celery app: configured from Django settings (CELERY_*), tasks autodiscovered."""

import gc
import logging
import os
import re

from celery import Celery
from celery.signals import task_postrun, worker_process_init

from .heartbeat import Heartbeat

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compliance_center.settings")

app = Celery("compliance_center")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.steps["consumer"].add(Heartbeat)

# The periodic sweeps (CELERY_BEAT_SCHEDULE) run every SWEEP_INTERVAL_SECONDS. What Celery itself
# says about each run (beat sending it, the worker receiving it, its success) is routine: logged
# at DEBUG, so that an idle system's log stays quiet. A sweep that finds something says so itself
# at INFO, and its success line (a non-zero count in its return value) stays at INFO too.
ROUTINE_TASKS = frozenset(
    {
        "messaging.tasks.messaging_sweep",
        "optout.tasks.webhook_deliveries_sweep",
        "optout.tasks.consent_maintenance",
    }
)
_NON_ZERO = re.compile(r"[1-9]")


class RoutineTasksAtDebug(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.INFO or not self._routine(record.args):
            return True
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)

    @staticmethod
    def _routine(args: object) -> bool:
        if isinstance(args, tuple):  # beat: (entry name, task name)
            return any(arg in ROUTINE_TASKS for arg in args)
        if isinstance(args, dict) and args.get("name") in ROUTINE_TASKS:
            return not _NON_ZERO.search(str(args.get("return_value", "")))
        return False


for _name in ("celery.beat", "celery.worker.strategy", "celery.app.trace"):
    logging.getLogger(_name).addFilter(RoutineTasksAtDebug())


@task_postrun.connect
def _release_old_db_connections(task=None, **kwargs) -> None:
    """With CELERY_DB_REUSE_MAX the connection outlives the task: drop it when it is broken or
    older than CONN_MAX_AGE (Django's per-request rule). Eager tasks run inside the caller's
    transaction and are left alone."""
    if task is not None and not getattr(task.request, "is_eager", False):
        from django.db import close_old_connections

        close_old_connections()


@worker_process_init.connect
def _freeze_inherited_objects(**kwargs) -> None:
    """A prefork child starts with the parent's objects in shared copy-on-write pages; a full
    garbage collection writes to every object it scans and so copies those pages. Moving them
    to the collector's permanent generation keeps them shared
    (docs/decisions/0006-gc-freeze-in-worker-children.md)."""
    gc.freeze()
