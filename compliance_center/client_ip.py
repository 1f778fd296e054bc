"""The client's address of a request, behind a known number of reverse proxies.

`X-Forwarded-For` is read only when TRUSTED_PROXY_COUNT says how many proxies stand in front of
the app: each of them appends the address it received the request from, so the client is the
address the outermost trusted proxy saw, counted from the right. Whatever a client writes in the
header itself stays on the left and is never taken. With no trusted proxy the header is ignored
and the peer address (REMOTE_ADDR) is the client."""

import ipaddress
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(meta: Mapping[str, Any], trusted_proxies: int) -> str | None:
    """The client's address from a request's META, given how many proxies are trusted."""
    peer = _address(str(meta.get("REMOTE_ADDR", "")))
    if trusted_proxies <= 0:
        return peer
    forwarded = [a for a in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",") if a.strip()]
    # The chain, nearest last: what the proxies appended, then the last proxy itself (the peer).
    # A chain shorter than the proxies configured did not come through them all: the peer is
    # the only address nobody could write.
    chain = [*forwarded, peer or ""]
    if len(chain) <= trusted_proxies:
        return peer
    return _address(chain[-(trusted_proxies + 1)]) or peer


def client_ip(request: HttpRequest) -> str | None:
    """django-axes' AXES_CLIENT_IP_CALLABLE."""
    return client_address(request.META, settings.TRUSTED_PROXY_COUNT)
