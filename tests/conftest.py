"""Shared fixtures: a workspace world, signed webhooks, the fake Twilio, a real Celery worker,
and the browser set-up (system Chromium)."""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from twilio.request_validator import RequestValidator

from compliance_center import process_cache
from compliance_center.celery import app as celery_app
from tests.support.fake_twilio import FakeTwilio

# live_server + Playwright's sync API run Django ORM calls from an event-loop thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
ACCOUNT_SID = "AC" + "0" * 32
NUMBER_A = "+14155550100"
NUMBER_B = "+14155550101"
CONTACT = "+14155550123"

# In CI a test that needs PostgreSQL, Redis, a worker or the browser must run, never skip.
REQUIRE_ALL = os.environ.get("REQUIRE_ALL_TESTS") == "1"


def skip_or_fail(reason: str):
    if REQUIRE_ALL:
        pytest.fail(f"REQUIRE_ALL_TESTS=1 but {reason}", pytrace=False)
    pytest.skip(reason)


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


@pytest.fixture
def world(db):
    """A workspace with two numbers, an admin, a manager, an agent and an API token."""
    from workspaces import services
    from workspaces.models import Role

    ws = services.workspace_create(
        name="Acme", twilio_account_sid=ACCOUNT_SID, twilio_auth_token=AUTH_TOKEN
    )
    a = services.phone_number_add(workspace=ws, number=NUMBER_A, label="Sales")
    b = services.phone_number_add(workspace=ws, number=NUMBER_B, label="Support")
    admin = services.member_add(
        workspace=ws, email="admin@acme.test", role=Role.ADMIN, password="pw-admin-1"
    )
    manager = services.member_add(
        workspace=ws, email="manager@acme.test", role=Role.MANAGER, password="pw-manager-1"
    )
    agent = services.member_add(
        workspace=ws, email="agent@acme.test", role=Role.AGENT, password="pw-agent-1"
    )
    token = services.api_token_create(workspace=ws)

    class World:
        workspace = ws
        number_a, number_b = a, b
        admin_user, manager_user, agent_user = admin.user, manager.user, agent.user
        api_token = token
        auth_token = AUTH_TOKEN

    return World


@pytest.fixture
def other_world(db):
    """A second workspace, for tenant-scoping checks."""
    from workspaces import services
    from workspaces.models import Role

    ws = services.workspace_create(name="Other", twilio_auth_token="other-token")
    number = services.phone_number_add(workspace=ws, number="+14155550199")
    member = services.member_add(
        workspace=ws, email="x@other.test", role=Role.ADMIN, password="pw-other-1"
    )
    token = services.api_token_create(workspace=ws)

    class Other:
        workspace = ws
        phone_number = number
        admin_user = member.user
        api_token = token

    return Other


def sign(path: str, params: dict, auth_token: str = AUTH_TOKEN) -> str:
    return RequestValidator(auth_token).compute_signature(
        django_settings.PUBLIC_BASE_URL + path, params
    )


_sid_counter = iter(range(10**9))


def inbound_params(body: str, *, to: str = NUMBER_A, from_: str = CONTACT, sid: str | None = None):
    return {
        "MessageSid": sid or f"SM{next(_sid_counter):032d}",
        "AccountSid": ACCOUNT_SID,
        "From": from_,
        "To": to,
        "Body": body,
        "NumMedia": "0",
    }


def post_signed(client, path: str, params: dict, auth_token: str = AUTH_TOKEN):
    return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=sign(path, params, auth_token))


@pytest.fixture
def text_in(client, django_capture_on_commit_callbacks):
    """Posts a signed inbound SMS through the real webhook and runs what it queued."""

    def _text_in(body: str, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            response = post_signed(client, "/webhooks/twilio/sms/", inbound_params(body, **kwargs))
        assert response.status_code == 200, response.content
        return response

    return _text_in


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


def _services_configured() -> str | None:
    if not django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return "DATABASE_URL does not point at PostgreSQL"
    if not django_settings.CELERY_BROKER_URL.startswith("redis"):
        return "REDIS_URL is not set"
    return None


@pytest.fixture
def services_env():
    reason = _services_configured()
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
        cwd=ROOT,
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
        _stop_process_group(proc)
        pytest.fail("worker did not start:\n" + (tmp_path / "worker.log").read_text())
    yield proc
    _stop_process_group(proc)
    log.close()


def _stop_process_group(proc: subprocess.Popen, grace: float = 10.0) -> None:
    """SIGTERM to the whole group (the worker, its pool children, its beat); SIGKILL to what is
    still there after `grace` seconds."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        proc.poll()
        try:
            os.killpg(proc.pid, 0)  # is any process of the group left?
        except ProcessLookupError:
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=5)


def wait_for(predicate, timeout: float = 15.0, interval: float = 0.1, message: str = ""):
    """Polls until `predicate()` is truthy; fails the test with `message` after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout}s waiting for: {message or predicate}")


# ---------------------------------------------------------------- browser


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        skip_or_fail("browser test needs Chromium (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture
def screenshot_dir(request, pytestconfig) -> Path:
    """Where browser tests save screenshots: <output>/screenshots (pytest-playwright's --output)."""
    out = Path(pytestconfig.getoption("output", "test-results")) / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    return out
