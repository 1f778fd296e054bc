"""Small read helpers shared by the consent tests: what a contact was told, whether the send
path would refuse them, and the workspace's compliance settings."""

from messaging.models import Direction, Message, MessageSource
from optout import selectors
from optout.models import ComplianceSettings
from tests.support.world import CONTACT


def last_reply(contact: str = CONTACT) -> Message | None:
    """The newest automatic reply (confirmation, HELP answer) sent to `contact`."""
    return (
        Message.objects.filter(
            direction=Direction.OUTBOUND,
            source=MessageSource.SYSTEM,
            conversation__contact__phone=contact,
        )
        .order_by("-id")
        .first()
    )


def blocked(world, number: str, contact: str = CONTACT) -> bool:
    """Whether the send path's own policy check blocks `contact` from `number`."""
    return (
        selectors.block_for(workspace_id=world.workspace.id, contact_phone=contact, number=number)
        is not None
    )


def replies() -> list[Message]:
    """Every automatic reply (confirmation, HELP answer), oldest first."""
    return list(Message.objects.filter(source="system").order_by("id"))


def settings_of(world) -> ComplianceSettings:
    return ComplianceSettings.objects.get(workspace=world.workspace)
