"""The Celery app: configured from Django settings (CELERY_*), tasks autodiscovered."""

import gc
import os

from celery import Celery
from celery.signals import task_postrun, worker_process_init

from .heartbeat import Heartbeat

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compliance_center.settings")

app = Celery("compliance_center")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.steps["consumer"].add(Heartbeat)


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
