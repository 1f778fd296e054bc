"""Opt-out signature rules: whether to append the signature to an outbound text. No I/O."""

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
