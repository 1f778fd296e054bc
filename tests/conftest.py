"""Fixtures only: the frozen world (tests/support/world.py), signed webhooks, the fake Twilio and
a real Celery worker. Browser fixtures are in tests/browser/conftest.py; the constants and helpers
that tests import are in tests/support/."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from compliance_center import process_cache
from compliance_center.celery import app as celery_app
from tests.support.fake_twilio import FakeTwilio
from tests.support.services import (
    PROJECT_ROOT,
    services_configured,
    skip_or_fail,
    stop_process_group,
)
from tests.support.twilio_webhooks import SMS, inbound_params, post_signed
from tests.support.world import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    AGENT_EMAIL,
    AGENT_PASSWORD,
    CONTACT,
    MANAGER_EMAIL,
    MANAGER_PASSWORD,
    NUMBER_A,
    OTHER_EMAIL,
    OTHER_PASSWORD,
    make_other_world,
    make_world,
)


@pytest.fixture(autouse=True)
def _celery_mode(request):
    """Tasks run eagerly unless the test drives a real worker.

    Eager errors are not propagated: that is how Celery runs a task's retries in eager mode; a
    failing task still fails its test through the test's assertions (and is logged).
    """
    eager = "services" not in request.keywords
    old = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = eager
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = old


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.SMS_BACKEND = "simulator"
    settings.SEND_RETRY_BACKOFF = 1
    # Fast hashing: the fixtures create several users per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Each test starts with empty per-process caches: rows of an earlier test's database are gone.
    process_cache.clear_all()
    # The tests' CRMs are loopback servers over http (tests/support/crm_receiver.py), which
    # production refuses (CRM_ALLOW_PRIVATE_URLS defaults to DEBUG); the tests of the production
    # rules turn it off themselves (tests/optout/test_crm_ssrf.py).
    settings.CRM_ALLOW_PRIVATE_URLS = True


@pytest.fixture
def world(db):
    """A workspace with two numbers, an admin, a manager, an agent and an API token."""
    return make_world()


@pytest.fixture
def other_world(db):
    """A second workspace, for tenant-scoping checks."""
    return make_other_world()


# ---------------------------------------------------------------- members' logged-in clients


@pytest.fixture
def as_admin(client, world):
    assert client.login(username=ADMIN_EMAIL, password=ADMIN_PASSWORD)
    return client


@pytest.fixture
def as_manager(client, world):
    assert client.login(username=MANAGER_EMAIL, password=MANAGER_PASSWORD)
    return client


@pytest.fixture
def as_agent(client, world):
    assert client.login(username=AGENT_EMAIL, password=AGENT_PASSWORD)
    return client


@pytest.fixture
def agent(client, world):
    """The inbox tests' name for the agent's client (the same login as `as_agent`)."""
    assert client.login(username=AGENT_EMAIL, password=AGENT_PASSWORD)
    return client


@pytest.fixture
def as_other(client, world, other_world):
    assert client.login(username=OTHER_EMAIL, password=OTHER_PASSWORD)
    return client


# ---------------------------------------------------------------- texts and API calls


@pytest.fixture
def text_in(client, django_capture_on_commit_callbacks):
    """Posts a signed inbound SMS through the real webhook and runs what it queued."""

    def _text_in(body: str, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            response = post_signed(client, SMS, inbound_params(body, **kwargs))
        assert response.status_code == 200, response.content
        return response

    return _text_in


@pytest.fixture
def opted_out(world, text_in):
    """CONTACT texted STOP to NUMBER_A (inbox scope): on the block list, with its ledger."""
    from workspaces.models import Contact

    text_in("Stop.", to=NUMBER_A)
    return Contact.objects.get(workspace=world.workspace, phone=CONTACT)


@pytest.fixture
def api(client, world):
    """A Django test client that sends the world's API token."""
    from rest_framework.test import APIClient

    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {world.api_token}")
    return c


@pytest.fixture
def fake_twilio(settings):
    fake = FakeTwilio().start()
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_API_BASE_URL = fake.base_url
    yield fake
    fake.stop()


# ---------------------------------------------------------------- real services and worker


@pytest.fixture
def services_env():
    reason = services_configured()
    if reason:
        skip_or_fail(f"end-to-end test needs PostgreSQL, Redis and a worker: {reason}")


@pytest.fixture
def celery_worker(services_env, transactional_db, fake_twilio, tmp_path):
    """A real `celery -A compliance_center worker --beat` process on Redis and the test database."""
    import redis

    db = django_settings.DATABASES["default"]
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    database_url = f"postgres://{db['USER']}:{db['PASSWORD']}@{host}:{port}/{db['NAME']}"
    redis.Redis.from_url(django_settings.CELERY_BROKER_URL).flushdb()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": os.environ["REDIS_URL"],
        "SMS_BACKEND": "twilio",
        "TWILIO_API_BASE_URL": fake_twilio.base_url,
        "SEND_RETRY_BACKOFF": "1",
        "SWEEP_AFTER_SECONDS": "2",
        "SWEEP_INTERVAL_SECONDS": "1",
        "SECRET_KEY": django_settings.SECRET_KEY,
        "FIELD_ENCRYPTION_KEY": django_settings.FIELD_ENCRYPTION_KEY,
        "PUBLIC_BASE_URL": django_settings.PUBLIC_BASE_URL,
    }
    log = (tmp_path / "worker.log").open("w")
    celery = str(Path(sys.executable).with_name("celery"))
    proc = subprocess.Popen(
        [
            celery,
            "-A",
            "compliance_center",
            "worker",
            "--beat",
            "--loglevel=INFO",
            "--concurrency=2",
            f"--schedule={tmp_path / 'beat'}",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        # A process group of its own: the pool children and the embedded beat are stopped with
        # it (a beat process left behind kept running against the test database).
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail("worker exited:\n" + (tmp_path / "worker.log").read_text())
        if "ready." in (tmp_path / "worker.log").read_text():
            break
        time.sleep(0.2)
    else:
        stop_process_group(proc)
        pytest.fail("worker did not start:\n" + (tmp_path / "worker.log").read_text())
    yield proc
    stop_process_group(proc)
    log.close()
