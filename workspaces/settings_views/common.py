"""Helpers every Settings page uses."""

from typing import Any

from django.http import HttpRequest
from django.shortcuts import render

from compliance_center.errors import DomainError

from ..models import Role

_ONCE = "settings_shown_once"


def is_admin(request: HttpRequest) -> bool:
    return request.membership is not None and request.membership.role == Role.ADMIN


def render_settings(request: HttpRequest, template: str, tab: str, status: int = 200, **context):
    return render(
        request,
        f"settings/{template}",
        {"nav": "settings", "tab": tab, "is_admin": is_admin(request), **context},
        status=status,
    )


def show_once(request: HttpRequest, kind: str, **values: Any) -> None:
    """Keeps a secret for the next page view only (server-side session)."""
    request.session[_ONCE] = {"kind": kind, **values}


def take_shown_once(request: HttpRequest, kind: str) -> dict[str, Any] | None:
    found = request.session.get(_ONCE)
    if found and found.get("kind") == kind:
        del request.session[_ONCE]
        return found
    return None


def error_to_form(form, exc: DomainError) -> None:
    """A service's refusal, at the field it concerns (or above the form)."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.detail)
