"""The Celery wiring of the public contract: routed queues, one exchange per queue, late
acknowledgement, the keyword lane first, and a forked child's frozen heap."""

import pytest

from compliance_center.celery import app

pytestmark = pytest.mark.django_db


def test_a_plain_worker_consumes_every_routed_queue():
    declared = {q.name for q in app.conf.task_queues}
    routed = {route["queue"] for route in app.conf.task_routes.values()}
    assert routed <= declared
    assert {"inbound", "outbound", "webhooks"} <= declared
    app.loader.import_default_modules()
    project_tasks = {n for n in app.tasks if n.split(".")[0] in ("messaging", "optout")}
    assert project_tasks == set(app.conf.task_routes)


def test_tasks_are_acknowledged_late():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_each_queue_gets_only_its_own_tasks():
    queues = app.amqp.queues
    keys = {name: (q.exchange.name, q.routing_key) for name, q in queues.items()}
    assert len(set(keys.values())) == len(keys), keys
    for task, route in app.conf.task_routes.items():
        resolved = app.amqp.router.route({}, task)
        assert resolved["queue"].name == route["queue"]
        assert resolved["queue"].routing_key == route["queue"]


def test_a_forked_worker_child_freezes_what_it_inherited():
    import gc

    from celery.signals import worker_process_init

    gc.unfreeze()
    try:
        worker_process_init.send(sender=None)
        assert gc.get_freeze_count() > 0  # inherited objects left out of the child's collections
    finally:
        gc.unfreeze()


def test_the_worker_takes_the_keyword_lane_first(settings):
    names = [q.name for q in settings.CELERY_TASK_QUEUES]
    assert names[:3] == ["keywords", "inbound", "outbound"]
