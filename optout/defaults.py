"""Built-in keywords by language, default reply texts (US carrier wording, and French and
Spanish for their packs), and other defaults."""

from datetime import time

ENGLISH = "en"
FRENCH = "fr"
SPANISH = "es"

# Keyword packs: English is always on; the others can be switched off per workspace, except
# where a country requires them (COUNTRY_PACKS).
LANGUAGE_PACKS: dict[str, dict[str, tuple[str, ...]]] = {
    ENGLISH: {
        "opt_out": ("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"),
        "opt_in": ("START", "YES", "UNSTOP"),
        "help": ("HELP", "INFO"),
    },
    FRENCH: {"opt_out": ("ARRET",), "opt_in": (), "help": ("AIDE",)},
    SPANISH: {"opt_out": ("ALTO", "PARAR", "CANCELAR", "BAJA"), "opt_in": (), "help": ("AYUDA",)},
}
LANGUAGE_NAMES = {ENGLISH: "English", FRENCH: "French", SPANISH: "Spanish"}
OPTIONAL_PACKS = (FRENCH, SPANISH)
# Canadian numbers always answer STOP and ARRET (CRTC; Canada's carriers require both).
COUNTRY_PACKS: dict[str, tuple[str, ...]] = {"CA": (ENGLISH, FRENCH)}
# The English keywords, as the rest of the product has always named them.
BUILTIN_KEYWORDS: dict[str, tuple[str, ...]] = LANGUAGE_PACKS[ENGLISH]
# On toll-free numbers the carrier confirms STOP itself, and only START and UNSTOP opt back in.
TOLL_FREE_OPT_IN = ("START", "UNSTOP")

OPT_OUT_CONFIRMATION = (
    "You have been unsubscribed and will receive no further messages. Reply START to opt back in."
)
OPT_IN_CONFIRMATION = (
    "You have been re-subscribed and will receive messages again. Reply STOP to opt out."
)
HELP_REPLY = "Reply STOP to opt out, START to opt back in. Msg & data rates may apply."
SIGNATURE = "Reply STOP to opt out."
# {brand} is the workspace's name.
DOUBLE_OPT_IN_REQUEST = (
    "{brand}: reply YES to receive appointment reminders and offers by text (up to 4 msgs/month). "
    "Reply STOP to opt out, HELP for help. Msg & data rates may apply."
)
WELCOME = (
    "{brand}: you're subscribed. You'll get up to 4 msgs/month. Reply STOP to opt out, HELP for "
    "help. Msg & data rates may apply."
)

# The reply to a keyword of a pack comes in the pack's language (unless an override says
# otherwise); English replies are the workspace's own texts (ComplianceSettings).
PACK_REPLIES: dict[tuple[str, str], str] = {
    ("opt_out", FRENCH): (
        "Vous êtes désabonné(e) et ne recevrez plus de messages. "
        "Répondez START pour vous réabonner."
    ),
    ("opt_in", FRENCH): (
        "Vous êtes réabonné(e) et recevrez de nouveau nos messages. "
        "Répondez ARRET pour vous désabonner."
    ),
    ("help", FRENCH): (
        "Répondez ARRET pour vous désabonner, START pour vous réabonner. "
        "Des frais de messagerie et de données peuvent s'appliquer."
    ),
    ("opt_out", SPANISH): (
        "Se ha dado de baja y no recibirá más mensajes. Responda START para volver a suscribirse."
    ),
    ("opt_in", SPANISH): (
        "Se ha vuelto a suscribir y recibirá mensajes de nuevo. Responda ALTO para darse de baja."
    ),
    ("help", SPANISH): (
        "Responda ALTO para darse de baja, START para volver a suscribirse. "
        "Pueden aplicarse tarifas de mensajes y datos."
    ),
}

QUIET_HOURS_START = time(21, 0)
QUIET_HOURS_END = time(8, 0)
TIMEZONE = "America/New_York"

MAX_CUSTOM_KEYWORDS_PER_KIND = 20
# A custom keyword is one word or a short phrase: as long as the Keywords tab's card shows whole.
MAX_CUSTOM_KEYWORD_LENGTH = 24
