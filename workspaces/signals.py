"""Questions workspaces asks the apps above it without importing them (the layers): they answer
through receivers registered in their own `ready()`."""

from dataclasses import dataclass, field

from django.dispatch import Signal


@dataclass
class RemovalImpact:
    """What removing a phone number would do: sentences that forbid it (`blockers`) and
    sentences that say what goes with it (`consequences`), in the product's words."""

    blockers: list[str] = field(default_factory=list)
    consequences: list[str] = field(default_factory=list)


# Sent with `number` (a PhoneNumber) before it is removed and when its page shows what removing
# it would do; each receiver returns a RemovalImpact or None.
phone_number_removal = Signal()
