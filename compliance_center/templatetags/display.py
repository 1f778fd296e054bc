"""The one display format of phone numbers and dates on every page.

`{{ number|phone }}`: national for the workspace's country ("(415) 555-0100"), international for
other countries, with the E.164 form in its title and copied by Ctrl+C (static/js/app.js).
`{{ instant|when }}`: in the workspace's time zone (activated per request), the zone shown
("Dec 1, 23:38 PST"; the year when it is not this one), the full date and zone name in its
title; `{{ instant|when:"date" }}` for a day ("Dec 12, 2025").
"""

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from compliance_center.dates import when_text, when_title
from compliance_center.phone import pretty

register = template.Library()


@register.filter(is_safe=True)
def phone(value: str | None) -> SafeString | str:
    value = value or ""
    if not value.startswith("+"):  # a short code or an alphanumeric sender: shown as it came
        return value
    return format_html(
        '<span class="tel" title="{}" data-e164="{}">{}</span>', value, value, pretty(value)
    )


@register.filter(is_safe=True)
def when(value: datetime | None, style: str = "") -> SafeString | str:
    if not value:
        return ""
    return format_html(
        '<time class="when" datetime="{}" title="{}">{}</time>',
        timezone.localtime(value).isoformat(),
        when_title(value),
        when_text(value, style),
    )
