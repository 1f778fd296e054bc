"""Management commands and the Celery wiring of the public contract."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from compliance_center.celery import app
from optout.models import ComplianceSettings, ConsentEvent
from workspaces.models import ApiToken, Membership, PhoneNumber, Workspace

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_workspace_json(client):
    out = run(
        "create_workspace",
        "--name", "Acme Dental",
        "--admin-email", "Owner@Acme.test",
        "--admin-password", "s3cret-pass",
        "--twilio-account-sid", "AC" + "1" * 32,
        "--twilio-auth-token", "tok",
        "--phone-number", "(415) 555-0142",
        "--json",
    )  # fmt: skip
    data = json.loads(out)
    workspace = Workspace.objects.get(id=data["workspace_id"])
    assert data["workspace"] == workspace.slug == "acme-dental"
    assert workspace.twilio_auth_token == "tok"
    assert ComplianceSettings.objects.filter(workspace=workspace).exists()
    assert Membership.objects.get(workspace=workspace).role == "admin"
    assert PhoneNumber.objects.get(workspace=workspace).number == "+14155550142"
    assert ApiToken.objects.filter(key_hash=ApiToken.hash(data["api_token"])).exists()
    response = client.get(
        "/api/v1/compliance-settings", HTTP_AUTHORIZATION=f"Token {data['api_token']}"
    )
    assert response.status_code == 200
    assert client.login(username="owner@acme.test", password="s3cret-pass")


def test_create_workspace_twice_gets_distinct_slugs():
    first = json.loads(
        run("create_workspace", "--name", "Acme", "--admin-email", "a@a.test", "--json")
    )
    second = json.loads(
        run("create_workspace", "--name", "Acme", "--admin-email", "a@a.test", "--json")
    )
    assert first["workspace"] != second["workspace"]
    assert first["api_token"] != second["api_token"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--name", "X", "--admin-email", "not-an-email"], "--admin-email"),
        (["--name", " ", "--admin-email", "a@a.test"], "--name"),
        (["--name", "X", "--admin-email", "a@a.test", "--twilio-account-sid", "XX1"], "AC"),
        (["--name", "X", "--admin-email", "a@a.test", "--phone-number", "12"], "--phone-number"),
    ],
)
def test_create_workspace_refuses_bad_input_and_creates_nothing(args, message):
    with pytest.raises(CommandError, match=message):
        run("create_workspace", *args)
    assert not Workspace.objects.exists()


def test_seed_demo_is_idempotent():
    run("seed_demo")
    run("seed_demo")
    workspace = Workspace.objects.get(slug="demo")
    assert workspace.phone_numbers.count() == 2
    assert workspace.contacts.count() == 4
    assert workspace.memberships.count() == 2


def test_consent_events_are_append_only(world, text_in):
    text_in("STOP")
    event = ConsentEvent.objects.get()
    event.reason = "rewritten"
    with pytest.raises(ValueError):
        event.save()


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
