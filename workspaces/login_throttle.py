"""Login throttling with django-axes: failed logins are counted per account and address together
(on /login/ and /admin/ alike), and a locked-out attempt gets the login page back with a sentence
saying for how long.

Policy (AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]): after LOGIN_FAILURE_LIMIT wrong
passwords an account is refused *from that address* for LOGIN_COOLOFF_MINUTES, even with the right
password. Other accounts from that address, and that account from elsewhere, still log in: nobody
can lock a known user out of their account, nor lock out a whole office behind one NAT. Each
refused attempt restarts the wait (axes' default), so the minutes shown are exact."""

import math
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

LOCKED_OUT = "Too many failed attempts for this account from this address. Try again in {minutes}."


class LoginThrottleBackend(AxesStandaloneBackend):
    """Axes' gate, first in AUTHENTICATION_BACKENDS. A call without a request is not a login
    from the web (the test client's `login()`, a shell): there is no address to count, so it is
    left to the next backend rather than refused."""

    def authenticate(self, request: HttpRequest | None, *args: Any, **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)


def username_of(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """AXES_USERNAME_CALLABLE: the account as typed, trimmed and lower-cased (usernames are
    lower-case emails), so that "Admin@…" counts against the same account as "admin@…"."""
    data = credentials if credentials is not None else request.POST
    username = data.get("username")
    return username.strip().lower() if isinstance(username, str) else None


def _minutes(request: HttpRequest) -> str:
    cool_off = get_cool_off(request)
    minutes = max(1, math.ceil(cool_off.total_seconds() / 60)) if cool_off else 0
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the login page again, with the reason, as 429 Too Many Requests."""
    form = AuthenticationForm(request, initial={"username": username_of(request, credentials)})
    context = {
        "form": form,
        "next": request.POST.get("next", request.GET.get("next", "")),
        "locked_out": LOCKED_OUT.format(minutes=_minutes(request)),
    }
    return render(request, "registration/login.html", context, status=429)
