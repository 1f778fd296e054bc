"""Template filters of the Settings pages."""

from django import template

from compliance_center.phone import pretty

register = template.Library()


@register.filter
def pretty_phone(e164: str) -> str:
    """'+14155550100' -> '+1 415-555-0100'."""
    return pretty(e164 or "")
