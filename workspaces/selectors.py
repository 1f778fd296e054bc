"""Reads on tenants used by several callers."""

from .models import Membership, PhoneNumber


def phone_number_by_e164(number: str) -> PhoneNumber | None:
    """The workspace number (with its workspace) that owns `number`, for webhooks."""
    return PhoneNumber.objects.select_related("workspace").filter(number=number).first()


def memberships_of(user) -> list[Membership]:
    if not user.is_authenticated:
        return []
    return list(Membership.objects.filter(user=user).select_related("workspace"))
