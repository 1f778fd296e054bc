"""Opt-out signature rules: whether to append the signature to an outbound text, and the text as
it will be sent (`compose`), counted in segments. No I/O."""

from dataclasses import dataclass

from compliance_center.segments import MAX_BODY_LENGTH, SegmentInfo, count

OFF = "off"
EVERY_MESSAGE = "every_message"
FIRST_IN_CONVERSATION = "first_in_conversation"


def already_signed(body: str, signature: str) -> bool:
    sig = signature.strip().casefold()
    return bool(sig) and body.rstrip().casefold().endswith(sig)


def should_sign(
    *, mode: str, signature: str, body: str, is_system_reply: bool, conversation_signed: bool
) -> bool:
    """System replies are never signed; a body that already ends with it is not signed twice."""
    if mode == OFF or is_system_reply or not signature.strip():
        return False
    if already_signed(body, signature):
        return False
    if mode == FIRST_IN_CONVERSATION:
        return not conversation_signed
    return mode == EVERY_MESSAGE


def apply(body: str, signature: str) -> str:
    """The body with the signature on a line of its own."""
    return f"{body.rstrip()}\n{signature.strip()}"


@dataclass(frozen=True)
class Composed:
    """A text as it will be sent: the final body, whether it was signed, and its segments."""

    final: str
    signed: bool
    info: SegmentInfo

    @property
    def chars(self) -> int:
        return len(self.final)

    @property
    def too_long(self) -> bool:
        return len(self.final) > MAX_BODY_LENGTH


def compose(
    *,
    body: str,
    mode: str,
    signature: str,
    conversation_signed: bool = False,
    is_system_reply: bool = False,
) -> Composed:
    """The one place a body becomes the text that is sent: the send path and every preview call
    this, so a preview always equals what is sent."""
    signed = should_sign(
        mode=mode,
        signature=signature,
        body=body,
        is_system_reply=is_system_reply,
        conversation_signed=conversation_signed,
    )
    final = apply(body, signature) if signed else body
    return Composed(final=final, signed=signed, info=count(final))
