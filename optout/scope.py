"""Scope rules: which active opt-outs block a number, and which an opt-in lifts. No I/O."""

from collections.abc import Iterable
from dataclasses import dataclass

INBOX = "inbox"
PHONE_NUMBER = "phone_number"


@dataclass(frozen=True)
class ActiveOptOut:
    id: int
    scope: str  # scope in force when the opt-out was made
    number: str  # the workspace number it arrived on (E.164)


def blocking(
    opt_outs: Iterable[ActiveOptOut], number: str, workspace_scope: str
) -> ActiveOptOut | None:
    """The first opt-out that blocks sending from `number`, or None.

    Blocked when an active opt-out has inbox scope, or was made on `number`, or the workspace's
    scope is now inbox: changing the setting never weakens a promise made to a contact.
    """
    for opt_out in opt_outs:
        if workspace_scope == INBOX or opt_out.scope == INBOX or opt_out.number == number:
            return opt_out
    return None


def lifted_by_opt_in(
    opt_outs: Iterable[ActiveOptOut], number: str, workspace_scope: str
) -> list[ActiveOptOut]:
    """What a contact's opt-in on `number` lifts: under inbox scope all of that contact's opt-outs,
    under phone-number scope only the one on `number`."""
    if workspace_scope == INBOX:
        return list(opt_outs)
    return [o for o in opt_outs if o.number == number]


def effective_scope(existing_scope: str | None, workspace_scope: str) -> str:
    """Scope to record when a contact opts out again: the stronger of the two, never weaker."""
    if existing_scope == INBOX or workspace_scope == INBOX:
        return INBOX
    return PHONE_NUMBER
