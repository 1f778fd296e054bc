"""Waiting on a real worker, a live server or a browser: poll, then fail with a message."""

import time

import pytest


def wait_for(predicate, timeout: float = 15.0, interval: float = 0.1, message: str = ""):
    """Polls until `predicate()` is truthy; fails the test with `message` after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout}s waiting for: {message or predicate}")
