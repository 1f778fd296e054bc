"""What `make run` shows a newcomer: an idle worker's log stays quiet (the periodic sweeps log at
DEBUG when they find nothing), and the browser's icon is served from this machine."""

import logging

import pytest

from compliance_center.celery import ROUTINE_TASKS, RoutineTasksAtDebug
from messaging import tasks as messaging_tasks
from optout import tasks as optout_tasks

pytestmark = pytest.mark.django_db


def record(message: str, args, name="celery.app.trace") -> logging.LogRecord:
    return logging.LogRecord(name, logging.INFO, __file__, 1, message, args, None)


@pytest.mark.parametrize("task", sorted(ROUTINE_TASKS))
def test_celery_lines_about_an_idle_sweep_are_debug(task):
    quiet = RoutineTasksAtDebug()
    lines = [
        record("Scheduler: Sending due task %s (%s)", ("sweep", task), "celery.beat"),
        record("Task %(name)s[%(id)s] received", ({"name": task, "id": "x"},)),
        record(
            "Task %(name)s[%(id)s] succeeded in %(runtime)ss: %(return_value)s",
            ({"name": task, "id": "x", "runtime": 0.01, "return_value": "{'inbound': 0}"},),
        ),
    ]
    for line in lines:
        assert quiet.filter(line) is False  # the loggers run at INFO: dropped
        assert line.levelno == logging.DEBUG


def test_a_sweep_that_found_something_and_other_tasks_stay_at_info():
    quiet = RoutineTasksAtDebug()
    found = record(
        "Task %(name)s[%(id)s] succeeded in %(runtime)ss: %(return_value)s",
        ({"name": "messaging.tasks.messaging_sweep", "id": "x", "return_value": "{'inbound': 3}"},),
    )
    other = record(
        "Task %(name)s[%(id)s] received", ({"name": "messaging.tasks.inbound_process", "id": "y"},)
    )
    assert quiet.filter(found) and found.levelno == logging.INFO
    assert quiet.filter(other) and other.levelno == logging.INFO


def test_sweeps_that_find_nothing_log_at_debug(caplog):
    with caplog.at_level(logging.DEBUG):
        messaging_tasks.messaging_sweep()
        optout_tasks.webhook_deliveries_sweep()
        optout_tasks.consent_maintenance()
    mine = [r for r in caplog.records if r.name in ("messaging.tasks", "optout.tasks")]
    assert mine and all(r.levelno == logging.DEBUG for r in mine)


def test_the_favicon_is_served_offline(client):
    page = client.get("/login/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg"' in page
    icon = client.get("/favicon.ico")
    assert icon.status_code == 302 and icon["Location"] == "/static/favicon.svg"
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200
    assert b"<svg" in b"".join(svg.streaming_content)
