"""The one way to queue: every job is a registered, routed task; a publish that fails at commit
is logged, never raised, and never keeps the commit's other jobs from being published."""

import logging

import pytest
from celery import current_app
from django.conf import settings
from django.db import transaction

from compliance_center import dispatch
from compliance_center.dispatch import Job


def _project_tasks() -> set[str]:
    apps = ("messaging.", "optout.", "workspaces.", "compliance_center.")
    return {name for name in current_app.tasks if name.startswith(apps)}


def test_every_job_is_a_registered_task_with_a_queue_and_every_task_is_a_job():
    assert {job.value for job in Job} == _project_tasks()
    for job in Job:
        assert job.value in settings.CELERY_TASK_ROUTES, f"{job} has no queue"


def test_every_beat_entry_names_a_job():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled <= {job.value for job in Job}
    assert {Job.MESSAGING_SWEEP.value, Job.WEBHOOK_DELIVERIES_SWEEP.value} <= scheduled


@pytest.mark.django_db(transaction=True)
def test_a_failing_publish_is_logged_and_the_commits_other_jobs_still_go(monkeypatch, caplog):
    published = []

    def apply_async(task):
        def publish(args, **options):
            if task.name == Job.INBOUND_PROCESS.value:
                raise ConnectionError("broker down")
            published.append((task.name, args))

        return publish

    for job in (Job.INBOUND_PROCESS, Job.MESSAGE_DELIVER):
        task = current_app.tasks[job.value]
        monkeypatch.setattr(task, "apply_async", apply_async(task))
    log = caplog.at_level(logging.ERROR, logger="compliance_center.dispatch")
    with log, transaction.atomic():
        dispatch.enqueue(Job.INBOUND_PROCESS, 1)
        dispatch.enqueue(Job.MESSAGE_DELIVER, 2)
        assert published == []  # nothing leaves before the commit
    assert published == [(Job.MESSAGE_DELIVER.value, (2,))]
    assert "could not queue messaging.tasks.inbound_process(1,)" in caplog.text


def test_publish_answers_false_when_the_broker_refuses(monkeypatch):
    task = current_app.tasks[Job.MESSAGE_DELIVER.value]

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(task, "apply_async", broker_down)
    assert dispatch.publish(Job.MESSAGE_DELIVER, 7) is False
