"""Built-in keywords and default reply texts (US carrier wording)."""

from datetime import time

BUILTIN_KEYWORDS: dict[str, tuple[str, ...]] = {
    "opt_out": ("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"),
    "opt_in": ("START", "YES", "UNSTOP"),
    "help": ("HELP", "INFO"),
}

OPT_OUT_CONFIRMATION = (
    "You have been unsubscribed and will receive no further messages. Reply START to opt back in."
)
OPT_IN_CONFIRMATION = (
    "You have been re-subscribed and will receive messages again. Reply STOP to opt out."
)
HELP_REPLY = "Reply STOP to opt out, START to opt back in. Msg & data rates may apply."
SIGNATURE = "Reply STOP to opt out."

QUIET_HOURS_START = time(21, 0)
QUIET_HOURS_END = time(8, 0)
TIMEZONE = "America/New_York"

MAX_CUSTOM_KEYWORDS_PER_KIND = 20
