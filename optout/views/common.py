"""Helpers every Compliance Center page uses."""

from django.contrib import messages as flash
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


# A section's confirmation is shown in that section (where the page scrolls back to after the
# save), not at the top of a long page: a flash message tagged with the section, which base.html
# leaves to the section to show (optout/_saved.html).
SECTION_TAG = "section-"


def saved_in(request: HttpRequest, section: str, message: str) -> None:
    flash.success(request, message, extra_tags=f"{SECTION_TAG}{section}")
