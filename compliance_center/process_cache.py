"""Short-lived per-process caches of rows that every webhook or API call reads and that rarely
change: which workspace owns a phone number (and its Twilio token), an API token's workspace,
a workspace's keyword rules for routing.

Each process (gunicorn worker, Celery child) keeps its own copy for PROCESS_CACHE_SECONDS.
The keyword services drop this process's copy at once; other processes see a change within
the TTL. Consent is never served from here: the block list and the keyword match
that records an opt-out always read the database.
"""

import threading
from collections.abc import Callable, Hashable
from typing import Any

from cachetools import TTLCache
from django.conf import settings

_MISSING = object()
_all: list["ProcessCache"] = []


class ProcessCache:
    def __init__(self, maxsize: int = 10_000, ttl: float | None = None):
        """`ttl`: seconds an entry is kept; None (most caches) reads PROCESS_CACHE_SECONDS."""
        self.maxsize = maxsize
        self.ttl = ttl
        self._lock = threading.Lock()  # runserver and the test live server are threaded
        self._cache: TTLCache | None = None
        _all.append(self)

    def _store(self) -> TTLCache:
        if self._cache is None:
            self._cache = TTLCache(self.maxsize, ttl=self._ttl())
        return self._cache

    def _ttl(self) -> float:
        return self.ttl if self.ttl is not None else settings.PROCESS_CACHE_SECONDS

    def get(self, key: Hashable, load: Callable[[], Any]) -> Any:
        """The cached value, or `load()`; a None result is not kept (a number or token added
        a moment ago must work at once)."""
        with self._lock:
            value = self._store().get(key, _MISSING)
        if value is _MISSING:
            value = load()
            if value is not None and self._ttl() > 0:
                with self._lock:
                    self._store()[key] = value
        return value

    def discard(self, key: Hashable) -> None:
        with self._lock:
            self._store().pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._cache = None  # rebuilt with the current TTL on next use


def clear_all() -> None:
    """Drops every per-process cache (tests, and after bulk changes)."""
    for cache in _all:
        cache.clear()
