"""Helpers every Compliance Center page uses."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import render

from .. import services

PAGE_SIZE = 50


def render_tab(request: HttpRequest, template: str, tab: str, status: int = 200, **context):
    return render(
        request,
        f"optout/{template}",
        {"nav": "compliance", "tab": tab, **context},
        status=status,
    )


def save_settings(request: HttpRequest, form, fields: list[str]) -> bool:
    """Saves the form's fields through the audited service; model errors land on the form."""
    try:
        services.compliance_settings_update(
            workspace=request.workspace,
            actor=request.user,
            via="web",
            **{f: form.cleaned_data[f] for f in fields},
        )
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return False
    return True
