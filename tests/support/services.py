"""What the end-to-end fixtures (conftest.py: `services_env`, `celery_worker`) and the tests that
need PostgreSQL, Redis, a worker, wrk or Chromium share: skip, or in CI fail."""

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# In CI a test that needs PostgreSQL, Redis, a worker or the browser must run, never skip.
REQUIRE_ALL = os.environ.get("REQUIRE_ALL_TESTS") == "1"


def skip_or_fail(reason: str):
    if REQUIRE_ALL:
        pytest.fail(f"REQUIRE_ALL_TESTS=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def services_configured() -> str | None:
    """None when PostgreSQL and Redis are configured, else what is missing."""
    if not django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return "DATABASE_URL does not point at PostgreSQL"
    if not django_settings.CELERY_BROKER_URL.startswith("redis"):
        return "REDIS_URL is not set"
    return None


def stop_process_group(proc: subprocess.Popen, grace: float = 10.0) -> None:
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
