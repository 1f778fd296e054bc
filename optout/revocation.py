"""Revocation in free text: does an inbound reply ask to stop receiving texts (FCC, 2025)?

Since April 2025 a consumer may revoke consent "by any reasonable means". A text that is
exactly a keyword is handled by `optout.keywords` first; `classify` looks at every other text
and answers one of three verdicts, with the language it saw and the rule that decided:

- ``clear``: the text plainly asks the sender to stop texting ("please stop texting me",
  "remove me from your list", "ne m'écrivez plus", "dejen de escribirme"). It becomes an
  opt-out.
- ``possible``: it may be a revocation and a person should decide ("leave me alone", "who is
  this? how did you get my number", "stop texting me on weekends").
- ``none``: ordinary conversation, including texts that use the same words in another sense
  ("Can you stop by at 5?", "cancel my appointment", "el precio está muy alto").

Precision comes first: a false ``clear`` silences a customer who wanted the texts, so every
rule that can answer ``clear`` needs an explicit object or an isolated keyword, and anything
doubtful answers ``possible`` (a person looks within ten business days) rather than ``clear``.

How a text is read
------------------
1. Normalisation. The first `MAX_CHARS` characters, NFKC (fullwidth letters, ligatures),
   invisible format characters (Unicode category Cf: zero-width spaces and joiners, soft
   hyphens, direction marks) dropped, case-folded, accents folded (ARRÊTEZ = arretez,
   envíen = envien), letters spaced out to spell a keyword joined ("S T O P"), letters
   repeated three times or more squeezed ("stooop" = "stop", "pleaseee" = "please"),
   "n't" joined ("don't" = "dont") and other apostrophes made spaces ("m'envoyer" =
   "m envoyer"). Quotes, hyphens and symbols such as $ # * are spaces; sentence punctuation,
   line breaks and dashes between spaces end a clause (a hard break); commas and every other
   symbol, emoji included, end it softly. Emoji never carry meaning, they only separate words.
2. Clauses. Each clause is matched on its own, so "Who is this? Stop." isolates "stop".
   A text of one word a sentence ("Remove. Me. From. Your. List.") is also read whole.
3. Rules (`_RULES`, per language). A rule names a verb and its object: *stop texting me*,
   *stop sending me messages*, *remove me from your list*, *no more texts*, *don't text me*,
   *I no longer wish to receive texts*, *opt out*, *unsubscribe*, *revoke my consent*, and
   the French and Spanish equivalents. The object decides the sense: "stop texting me" is a
   revocation, "stop by", "stop the bill", "stop laughing" and "remove the onions" are not;
   "unsubscribe from these texts" is, "unsubscribe from the gym newsletter" is not;
   "remove me from your list" is, "take me off the waitlist" and "retirez-moi de la liste
   d'attente" are not. Messages of one kind only (reminders, alerts, notifications) and
   calls rather than texts make a rule answer ``possible``.
4. What comes before the match (`_prefix_context`):
   - negation: "don't stop texting me", "n'arrêtez pas les promos", "no dejen de mandarme"
     ask for the opposite: ``none``. "Why won't you stop texting me" is a complaint:
     ``possible``.
   - who speaks to whom: a request is an imperative or has "you" as subject ("can you stop
     texting me", "u need to stop"); "I said stop", "I've asked you to stop" are requests
     too. A third person ("my ex won't stop texting me", "I told him to stop texting me"),
     reported words ("you told me to stop texting you") or the writer's own plans ("I want
     to stop by") are not.
   - questions and conditions: "did you stop sending them?", "if I reply STOP will I still
     get reminders?" are not requests; "how do I unsubscribe?" and "reply STOP to opt
     out?" are ``possible``.
5. What comes after the match (`_tail_kind`): nothing, politeness, intensifiers and a new
   sentence keep the verdict ("stop texting me please", "... for good", "... or I'll report
   you"); a restriction in time or topic ("... so early", "... on weekends", "... about open
   houses") makes it ``possible``; an unrelated object makes the rule not apply.
6. Keywords on their own. A clause made only of a keyword, with courtesy around it and a few
   lead-ins ("stop please", "ok stop", "wrong number stop", "I said stop", "STOP!!! ...",
   "baja por favor", "arrêtez svp") is ``clear`` for stop, unsubscribe, opt out, revoke,
   arrêt, alto, parar, baja; ``possible`` for cancel, end, quit, enough, cancelar, basta, the
   informal "arrête", which often mean the appointment or an exclamation. After a soft break
   the words that follow must support the keyword ("Stop, not interested", "Stop pls, I get
   enough spam"), else it is only ``possible`` ("Stop, I'm laughing so hard"). In a short text
   (at most `SHORT_TEXT_WORDS` words) a keyword that ends a sentence after other words
   ("thanks for the info stop") is ``possible``; in a longer text it is ignored, since long
   texts that merely contain the word are conversations.
7. The whole message. Laughter ("lol", "haha", "jaja", "mdr") makes a ``clear`` phrase
   ``possible`` and lowers a bare keyword one step (``clear`` to ``possible``, ``possible``
   to ``none``); enthusiasm ("Stop! That's amazing news") and second thoughts ("Stop. Wait,
   is this the dentist?") make a bare keyword ``possible``; asking for texts ("keep the
   texts coming", "texts are fine") lowers every verdict one step; "don't text me, call me"
   is ``possible``.

Language is the language of the deciding rule, else the most frequent marker words
("please", "svp", "por favor", ...); "" when nothing tells.
"""

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

Verdict = Literal["clear", "possible", "none"]

CLEAR: Verdict = "clear"
POSSIBLE: Verdict = "possible"
NONE: Verdict = "none"
VERDICTS: tuple[Verdict, ...] = (CLEAR, POSSIBLE, NONE)
LANGUAGES = ("en", "fr", "es")

MAX_CHARS = 2000  # a concatenated SMS is at most 1,600 characters; the rest is not read
SHORT_TEXT_WORDS = 12

_RANK: dict[Verdict, int] = {NONE: 0, POSSIBLE: 1, CLEAR: 2}


@dataclass(frozen=True)
class Revocation:
    verdict: Verdict
    language: str  # "en", "fr", "es" or "" when unknown
    reason: str  # the rule that decided and the words it saw, for the reviewer


# --- normalisation -------------------------------------------------------------------------

_APOSTROPHES = str.maketrans(dict.fromkeys("’‘`´ʼʻ′＇", "'"))
_SPACE_LIKE = frozenset("-‐‑_&$%#@*/+=~^|\\<>\"“”«»„‟‹›'")
_SPELLED_KEYWORDS = frozenset(
    {"stop", "end", "quit", "cancel", "unsubscribe", "optout", "arret", "alto", "baja", "parar"}
)
_SPELLED = re.compile(r"\b[a-z](?:[ .\-][a-z]){2,}\b")
_CLAUSE_DASH = re.compile(r"\s[-‐‑]+\s")
_REPEATS = re.compile(r"([^\W\d_])\1{2,}")
_NT = re.compile(r"n't\b")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS])
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf").casefold()
    text = unicodedata.normalize("NFD", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", text)


def _join_spelled(match: re.Match[str]) -> str:
    joined = re.sub(r"[ .\-]", "", match.group())
    return joined if joined in _SPELLED_KEYWORDS else match.group()


def normalize(body: str) -> list[str]:
    """The clauses of a text, each a string of words: "Don't text me!! 😡 Who?" ->
    ["dont text me", "who"]."""
    return [clause for clause, _ in _clauses(body)]


_HARD = "\n"
_SOFT_BREAK = "\t"  # a comma, an emoji: the next words may still belong to this clause


def _clauses(body: str) -> list[tuple[str, bool]]:
    """Each clause and whether a soft break (comma, symbol) rather than a hard one (sentence
    punctuation, line break) or the end of the text follows it."""
    text = _SPELLED.sub(_join_spelled, _fold(body))
    text = _NT.sub("nt", text.translate(_APOSTROPHES))
    text = _REPEATS.sub(r"\1", text)
    text = _CLAUSE_DASH.sub("\n", text)
    out: list[str] = []
    for ch in text:
        if ch.isalnum():
            out.append(ch)
        elif ch in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029":
            out.append(_HARD)
        elif ch.isspace() or ch in _SPACE_LIKE:
            out.append(" ")
        elif ch == "," or unicodedata.category(ch)[0] == "S":
            out.append(_SOFT_BREAK)
        else:
            out.append(_HARD)
    clauses: list[tuple[str, bool]] = []
    joined = re.sub(f" *([{_HARD}{_SOFT_BREAK}]) *", r"\1", "".join(out))
    for part in re.split(f"([{_HARD}{_SOFT_BREAK}]+)", joined):
        if _HARD in part or _SOFT_BREAK in part:
            if clauses:
                clauses[-1] = (clauses[-1][0], _HARD not in part)
        elif part.split():
            clauses.append((" ".join(part.split()), False))
    if clauses:
        clauses[-1] = (clauses[-1][0], False)
    if len(clauses) >= 3 and all(" " not in clause for clause, _ in clauses):
        clauses.append((" ".join(clause for clause, _ in clauses), False))  # one word a sentence
    return clauses


# --- vocabulary ----------------------------------------------------------------------------


def _any(*words: str) -> str:
    return "(?:" + "|".join(words) + ")"


# English
_STOP = r"(?:stop+|stahp|quit|cease|halt)"
_TEXTING = _any(
    "texting", "textin", "texing", "txting", "txtin", "textn", "txtn", "text", "txt",
    "messaging", "messagin",
    "message", "msging", "msgin", "msg", "smsing", "contacting", "contact", "spamming",
    "spaming", "spam", "hitting me up", "hitting us up", "blowing up my phone",
    "blowing me up", "writing to me", "writing me",
)  # fmt: skip
_SENDING = r"(?:sending|sendin|send)"
_ME = _any(
    "me", "us", r"this (?:number|phone|phone number|cell|line|mobile)",
    r"my (?:number|phone|phone number|cell|cell phone|line|mobile)",
)  # fmt: skip
# Not followed by someone else: "stop texting you", "stop messaging my husband".
_NOT_OTHERS = (
    r"(?! (?:you|u|ya|yall|him|her|them|people|everyone|anyone|my|his|their|your|our)(?!\S))"
)
_WHO = _any(
    "me", "us",
    r"my (?:number|phone number|phone|cell|cell number|mobile|contact|contact info|info|"
    r"information|details|name|number from|email and number)",
    r"this (?:number|phone|phone number|cell)",
)  # fmt: skip
_ADJ = _any(
    "all", "any", "the", "these", "those", "this", "that", "your", "ur", "yr", "ya", "such",
    "of", "more", "further", "future", "any more", "anymore", "stupid", "damn", "dumb",
    "fucking", "freaking", "annoying", "constant", "endless", "spam", "marketing",
    "promotional", "text", "texting", "txt", "sms", "automated", "random", "daily", "unwanted",
)  # fmt: skip
_DET = rf"(?:{_ADJ} ){{0,4}}"
# Messages of every kind (a revocation) and of one kind only (a person decides the scope).
_MSG = _any(
    "texts", "text", "txts", r"text messages?", "messages", "message", "msgs", "msjs", "sms",
    "smses", "texting", "messaging", "spam", "junk", "crap", "garbage", "bs", "shit", "ads",
    r"advertisements?", r"adverts?", r"promos?", r"promotions?", "offers", "deals",
    "marketing", "coupons", "specials", r"solicitations?", r"communications?",
    r"(?:text|sms|txt) (?:alerts?|notifications?|reminders?|updates?)",
)  # fmt: skip
_MSG_TX = _any(
    r"reminders?", r"alerts?", r"notifications?", r"updates?", r"confirmations?",
    r"appointment reminders?",
)  # fmt: skip
_PRONOUN_OBJECT = _any(
    "these", "this", "that", "them", "those", "it", "anything", "everything", "stuff",
    "this stuff", "that stuff", "these things", r"any of (?:this|that|these|it)", "all this",
    "all of this", "all that",
)  # fmt: skip
_UNSUB = _any(
    "unsubscribe", "unsubcribe", "unsubscibe", "unsubsribe", "unsubscrib", "unsubscirbe",
    "unsuscribe", "unsusbcribe", "unsubsrcibe", "unscribe", "unsub", "un subscribe",
)  # fmt: skip

# French
_FR_STOP = r"(?:arretez|arrete|arreter|arretes|cessez|cesse|cesser|stoppez|stopper|stop)"
_FR_ME = r"(?:m|me|nous)"
_FR_MSG = (
    r"(?:(?:des|les|vos|ces|tous ces|toutes ces|tous vos|toutes vos|de|d|aux|a vos|a ces) ){0,2}"
    r"(?:messages?|sms|textos?|pubs?|publicites?|promos?|promotions?|offres|spams?|envois)"
)
_FR_MSG_TX = r"(?:(?:des|les|vos|ces|de|d) )?(?:rappels?|relances?|notifications?|alertes?|mails?)"

# Spanish
_ES_MSG = (
    r"(?:(?:mas|ningun|ninguna|ningunos|los|las|sus|estos|estas|esos|esas|tantos|todos los|"
    r"todas las|mis) )?"
    r"(?:mensajes?|mensajitos|textos?|sms|msjs?|promociones|publicidad|ofertas|spam|"
    r"anuncios|propaganda|nada|cosas|esto|eso)"
)
_ES_MSG_TX = r"(?:(?:los|las|sus|estos|mas) )?(?:recordatorios?|alertas?|notificaciones|avisos)"

# Words after a match that leave the request intact.
_FILLER = _any(
    # English
    "pretty please", "please and thank you", "please", "pleas", "pls", "plz", "plez", "plse",
    "plss", "pleez", "kindly", "right now", "right away", "now", "asap", "immediately",
    "at once", "already", "anymore", "any more", "no more", "ever again", "never again",
    "again", "ever", "for good", "forever", "permanently", "at all", "altogether",
    "completely", "entirely", "whatsoever", "period", "thank you very much", "thanks a lot",
    "thank you", "thank u", "thankyou", "thanks", "thx", "tx", "ty", "tnx", "much appreciated",
    "appreciate it", "ok", "okay", "kk", "k", "sir", "maam", "mam", "madam", "dude", "man",
    "bro", "bruh", "guys", "people", "folks", "y all", "yall", "you guys", "you people",
    "lol", "lmao", "haha", "hahaha", "ffs", "omg", "wtf", "seriously", "for real",
    "from now on", "going forward", "moving forward", "in the future", "from here on out",
    "from here on", "from here", "henceforth", "from this number", "from you guys",
    "from your company", "from this company", "from your business", "from your office",
    "from y all", "from yall", "from you", "to this number", "to this phone", "to me",
    "to my number", "to my phone", "to my cell", "on this number", "on my phone",
    "on my cell", "on this phone", r"with (?:this|my) (?:number|phone|cell)",
    "by text", "by sms", "via text", "via sms", "through text",
    "thru text", "by message", "yesterday", r"last (?:week|month|year|night|time)",
    r"(?:\w+ )?(?:days|weeks|months|years) ago", r"a (?:week|month|year|while) ago",
    r"(?:\d+|two|three|four|five|many|multiple|several|a few|so many|like \d+) times",
    "twice", "numerous times",
    # French
    "s il vous plait", "s il te plait", "svp", "stp", "s v p", "merci beaucoup", "merci bien",
    "merci", "maintenant", "tout de suite", "immediatement", "deja", "definitivement",
    "plus jamais", "jamais", "desormais", "a l avenir", "a partir de maintenant", "dorenavant",
    "par sms", "par texto", "par textos", "par message", "par messages", r"sur ce numero",
    "sur mon numero", "sur mon portable", "de votre part", "de votre entreprise",
    "de votre societe", "encore", "pour toujours", "plus rien", "rien", "bonne journee",
    "cordialement", "d accord",
    # Spanish
    "por favor", "porfavor", "porfa", "porfis", "xfa", "x favor", "por fa", "favor",
    "muchas gracias", "mil gracias", "gracias", "ya mismo", "ahora mismo", "ahora",
    "de inmediato", "inmediatamente", "de una vez por todas", "de una vez", "nunca jamas",
    "nunca mas", "jamas", "nunca", "mas", "por sms", "por mensaje", "por mensajes",
    "por texto", "a este numero", "a mi numero", "a mi celular", "a mi telefono", "de ustedes",
    "de su parte", "nada", "para siempre", "otra vez", "de nuevo", "saludos", "ya",
)  # fmt: skip
_FILLERS = re.compile(rf"^(?:(?:{_FILLER})(?: |$))+")

# A new sentence after a request keeps it ("stop texting me i never signed up").
_CONTINUATION = re.compile(
    r"^(?:and|or|but|cause|because|bc|cuz|coz|since|i|im|ive|id|ill|we|this is|this isnt|its|"
    r"it is|you|u|ur|youre|ya|thank|thanks|who|why|how|what|seriously|please|no|not|never|"
    r"et|ou|mais|car|parce|je|j|c est|vous|qui|pourquoi|comment|y|o|pero|porque|que|quien|"
    r"por que|como|yo|es|esto|son)(?: |$)"
)
# After a bare keyword only words that support the request may follow ("stop this is the 4th
# time"), not any sentence ("stop you're making me blush").
_STRICT_CONTINUATION = re.compile(
    r"^(?:or|before i|this is the|this is my|it s the|its the|thats the|that s the|i mean it|"
    r"im serious|i m serious|i ve|ive|i have|i already|i never|i did not|i didnt|i dont|"
    r"i do not|i m not|im not|i am not|i m done|im done|i said|i told you|not interested|"
    r"wrong number|who is this|who are you|how did you|why do you|why are you|"
    r"you have the wrong|c est la|ca fait|je n ai|je ne|j ai deja|j ai dit|ya les|nunca|"
    r"no me|no quiero|les dije|es la|i m tired|im tired|i am tired|enough|unsubscribe|"
    r"remove me|leave me alone|this number|i never)(?: |$)"
)
_RESTRICTION = re.compile(
    r"^(?:about|regarding|re|at|before|after|during|on|until|till|til|so|every|each|in|with|"
    r"unless|except|while|when|between|tonight|today|tomorrow|early|late|weekends?|weekdays?|"
    r"sundays?|saturdays?|mornings?|nights?|"
    r"this (?:early|late|often|much|week|weekend|month|morning|afternoon|evening|year|time)|"
    r"for (?:now|a|the|this|today|tonight|tomorrow|\d+\w*|some|awhile|a while|a bit)|"
    r"too (?:much|often|early|late)|that (?:often|much|early|late)|daily|a lot|"
    r"avant|apres|pendant|le (?:week end|weekend|soir|matin|dimanche|samedi|midi)|la nuit|"
    r"si (?:tot|tard|souvent)|aussi (?:souvent|tot|tard)|sur|pour|au sujet|concernant|jusqu|"
    r"a propos|en semaine|tous les|chaque|a \d+\w*|antes|despues|durante|"
    r"en la (?:manana|noche|tarde)|los (?:fines|domingos|sabados)|"
    r"tan (?:temprano|tarde|seguido)|hasta|sobre|para|a las|todos los|cada|temprano|tarde|"
    r"de noche)(?: |$)"
)
_PREPOSITION = re.compile(r"^(?:from|of|off|off of|out of|to|for|de|del|des|du|d|a|al|aux)(?: |$)")
_LIST = _any(
    "list", "lists", "database", "data base", "system", "records", "contacts", "contact list",
    "rolodex", "program", "service", "texting service", "text service", "sms service",
    "liste", "listes", "fichier", "fichiers", "base de donnees", "base", "repertoire",
    "diffusion", "liste de diffusion", "lista", "listas", "base de datos", "sistema",
    "registros", "contactos", "directorio",
)  # fmt: skip
_LIST_DET = _any(
    "all", "any", "the", "these", "those", "this", "that", "your", "ur", "yr", "ya", "every",
    "each", "of", "my", "our", "stupid", "damn", "dumb", "fucking", "freaking", "spam",
    "marketing", "promotional", "text", "texting", "txt", "sms", "mailing", "contact", "call",
    "calling", "distribution", "phone", "messaging", "notification", "alert", "votre", "vos",
    "la", "le", "les", "ces", "cette", "ce", "tous les", "toutes les", "ta", "ton", "tes",
    "su", "sus", "las", "los", "el", "esta", "este", "estos", "estas", "tu", "tus", "todas las",
    "todos los",
)  # fmt: skip
_NOT_OUR_LIST = r"(?! (?:d attente|de espera|de invitados|d invites|de clase|de cours))"
_OBJECT = re.compile(
    r"^(?:(?:from|of|off|off of|out of|to|in|de|del|des|du|d|de la|de los|de las|a|aux|a vos|"
    r"a ces|al) )?"
    r"(?:"
    rf"(?:{_LIST_DET} ){{0,4}}{_LIST}{_NOT_OUR_LIST}"
    rf"|{_DET}(?:{_MSG}|{_MSG_TX})"
    rf"|{_FR_MSG}|{_FR_MSG_TX}|{_ES_MSG}|{_ES_MSG_TX}"
    rf"|{_PRONOUN_OBJECT}|all of (?:them|it)|everything|tout|todo|todos|tous"
    r"|(?:receive|receiving|recieve|get|getting|be sent|be texted|be contacted|text|texting|"
    r"contact|contacting|send|sending|message|messaging|recevoir|recibir)"
    rf"(?: (?:me|us))?(?: (?:any more|anymore|more|any|further))?(?: {_DET}(?:{_MSG}|{_MSG_TX}))?"
    r")(?: |$)"
)

_TailKind = Literal["ok", "restriction", "other_object", "other"]


def _tail_kind(tail: str, *, strict: bool = False, objects: bool = True) -> _TailKind:
    """What follows a match: nothing that changes it, a restriction, another object, or else."""
    rest = _FILLERS.sub("", tail)
    if objects and rest:
        found = _OBJECT.match(rest)
        if found:
            rest = _FILLERS.sub("", rest[found.end() :])
    if not rest:
        return "ok"
    if (_STRICT_CONTINUATION if strict else _CONTINUATION).match(rest):
        return "ok"
    if _RESTRICTION.match(rest):
        return "restriction"
    if _PREPOSITION.match(rest):
        return "other_object"
    return "other"


# --- what comes before a match -------------------------------------------------------------

_SOFT = frozenset(
    {"please", "pls", "plz", "kindly", "just", "simply", "now", "ok", "okay", "so", "and",
     "then", "really", "seriously", "honestly", "again", "already", "ever", "all", "oh", "hey",
     "hi", "hello", "yo", "man", "dude", "bro", "sir", "maam", "omg", "god", "jeez", "ugh",
     "ffs", "wtf", "fucking", "f", "damn", "effing", "freaking", "frickin", "guys", "folks",
     "svp", "merci", "alors", "bon", "bueno", "pues", "oye", "oiga", "porfa", "favor", "por",
     "ya", "bonjour", "hola"}
)  # fmt: skip
_YOU = frozenset({"you", "u", "ya", "yall", "ye", "youse", "vous", "tu", "ustedes", "usted"})
_FIRST = frozenset({"i", "im", "ive", "id", "ill", "we", "lets", "je", "j", "yo", "nosotros"})
_THIRD = frozenset(
    {"he", "she", "they", "him", "her", "them", "his", "someone", "somebody", "nobody",
     "everyone", "it", "il", "elle", "ils", "elles", "ella", "ellos", "ellas"}
)  # fmt: skip
_KIN = frozenset(
    {"wife", "husband", "son", "daughter", "kid", "kids", "mom", "mother", "dad", "father",
     "boss", "friend", "friends", "brother", "sister", "ex", "bf", "gf", "boyfriend",
     "girlfriend", "neighbor", "neighbour", "roommate", "partner", "child", "children",
     "family", "mari", "femme", "fils", "fille", "esposo", "esposa", "hijo", "hija", "mama",
     "papa", "jefe", "novio", "novia"}
)  # fmt: skip
_CLAUSE_JOINERS = frozenset({"and", "but", "so", "or", "because", "cuz", "then", "et", "mais",
                             "pero", "y", "que", "porque", "car"})  # fmt: skip

_FRAME = re.compile(
    r"(?:^| )(?:i|we|je|j|yo)(?: (?:already|ve|have|had|ll|will|am|m|do|really|just|literally|"
    r"politely|nicely|kindly|vous|ai|deja|bien))* (?:said|say|told|tell|asked|ask|asking|"
    r"begged|beg|repeat|repeated|requested|request|mean|demand|demanded|want|need|dit|demande|"
    r"ecrit|dije|pedi)"
    r"(?: (?:you|u|ya|yall|you guys|vous))?(?: (?:to|one more time|again|twice|three times|"
    r"\w+ times|many times|already|before|multiple times|for the last time|to please|please|"
    r"de|d|que))*$"
    r"|(?:^| )(?:ya )?(?:les|le|te) (?:dije|pedi|escribi)(?: que)?$"
)
# Someone asked the writer: "you told me to stop texting you", "she asked me to".
_REPORTED = re.compile(
    r"(?:^| )(?:you|u|he|she|they|someone|somebody|it|vous|il|elle|usted|ustedes|el|ella)"
    r"(?: (?:already|just))? (?:told|asked|said|want|wanted|tell|ask|wants|needs|need|m a dit|"
    r"m avez dit|me dijo|me dijeron|me pidio)(?: me| us|(?<=dit)|(?<=dijo)|(?<=dijeron)|"
    r"(?<=pidio))(?: to| de| que)?$"
)
_WHY_DONT_YOU = re.compile(r"(?:^| )why (?:dont|do not) (?:you|u|ya)(?: guys| people| all)?$")
_COMPLAINT_EN = re.compile(
    r"(?:^| )(?:cant|cannot|can not|wont|will not|wouldnt|would not|couldnt|could not|didnt|"
    r"did not|doesnt|does not|isnt|is not|arent|are not|shouldnt|should not|havent|have not|"
    r"hasnt|has not|never gonna|not|no need to|dont need to|do not need to|need not|"
    r"dont have to|do not have to)(?: (?:you|u|ya|yall|you guys|you people|even|ever|just|"
    r"seem to|to|please|guys|people|freaking|fucking))*$"
    r"|(?:^| )when (?:will|are|do) (?:you|u|ya)(?: guys| people)?(?: ever)?(?: going to| gonna)?$"
)
_COMPLAINT_FR = re.compile(r"(?:^| )(?:vous|tu|ils|elles|on) (?:n|ne)(?: (?:me|m|nous))?$")
_KEEP_EN = re.compile(
    r"(?:^| )(?:dont|do not|never|dont ever|do not ever|never ever)(?: (?:you|u|ever|please|"
    r"just|guys))*$"
)
_KEEP_FR = re.compile(r"(?:^| )(?:n|ne)(?: (?:me|m|nous|vous|te|t|les|leur|lui))?$")
_KEEP_ES = re.compile(r"(?:^| )no(?: (?:me|nos|les|se|lo|la))?$")
_PAST_QUESTION = re.compile(
    r"(?:^| )(?:did|have|has|had)(?: (?:you|u|ya|they|he|she|it|y all|yall))(?: guys)?"
    r"(?: (?:already|ever|just|really))?$"
)
_HOW_QUESTION = re.compile(
    r"(?:^| )(?:how|where)(?: (?:do|can|could|would|should|to|does|did|may))?"
    r"(?: (?:i|we|one|you|u))?(?: (?:go about|possibly|even|actually))?$"
    r"|(?:^| )(?:is there (?:a|any) way to|is it possible to|what do i (?:do|reply|text) to|"
    r"comment (?:faire pour|puis je)|como (?:puedo|hago para))$"
    r"|(?:^| )(?:reply|replying|text|texting|send|sending|type|typing|respond|say|saying|"
    r"repondre|repondez|envoyer|envoyez|responder|responda|envia|envie) (?:stop+|end|quit|"
    r"cancel|unsubscribe|arret|alto|baja|parar) (?:to|pour|para)$"
)
_CONDITIONAL = re.compile(
    r"(?:^| )(?:if|unless|whether|when|whenever|once|until|till|si|cuando|quand|lorsque)"
    r"(?: \w+){0,4}$"
)

_Context = Literal[
    "ok", "keep", "complaint", "third", "first", "statement", "past_question", "question",
    "conditional",
]  # fmt: skip


def _nearest_subject(tokens: list[str]) -> tuple[str | None, bool]:
    """The nearest subject before a match in its clause ("you", "first", "third") and whether
    it is right before it (after courtesy words)."""
    immediate = True
    for i in range(len(tokens) - 1, -1, -1):
        token = tokens[i]
        if token in _CLAUSE_JOINERS:
            return None, False
        if token in _YOU or (token == "all" and i and tokens[i - 1] == "y"):
            return "you", immediate
        if token in _FIRST:
            return "first", immediate
        if token in _THIRD or (token in _KIN and i and tokens[i - 1] in {"my", "mon", "ma", "mi"}):
            return "third", immediate
        if token not in _SOFT:
            immediate = False
    return None, False


def _prefix_context(prefix: str, language: str) -> _Context:
    tokens = prefix.split()
    while tokens and tokens[-1] in _SOFT:
        tokens.pop()
    text = " ".join(tokens)
    if not text:
        return "ok"
    if _REPORTED.search(text):
        return "third"
    if _FRAME.search(text) or _WHY_DONT_YOU.search(text):
        return "ok"
    subject, immediate = _nearest_subject(tokens)
    if subject == "third":
        return "third"
    if language == "fr" and _COMPLAINT_FR.search(text):
        return "complaint"
    keep = {"en": _KEEP_EN, "fr": _KEEP_FR, "es": _KEEP_ES}.get(language, _KEEP_EN)
    if keep.search(text):
        return "keep"
    if language == "en" and _COMPLAINT_EN.search(text):
        return "complaint"
    if _PAST_QUESTION.search(text):
        return "past_question"
    if _HOW_QUESTION.search(text):
        return "question"
    if _CONDITIONAL.search(text):
        return "conditional"
    if subject == "first":
        return "first"
    if immediate and subject is not None and subject != "you":
        return "statement"
    return "ok"


# How each kind of rule reads its context. "you": a request to the sender ("stop texting
# me"); "i": the writer's wish ("I no longer wish to receive"); "neg": a request that carries
# its own negation ("don't text me"), which a subject turns into a statement ("you don't text
# me enough"); "any": no particular subject ("no more texts"); "opt": opt out / unsubscribe,
# where a question or a condition still shows the wish; "start": only at the start of a clause
# ("plus de messages svp", not "j'ai plus de sms sur mon forfait").
_Frame = Literal["you", "i", "neg", "any", "opt", "start"]
_FRAME_TABLE: dict[_Frame, dict[_Context, Verdict | None]] = {
    # None: the rule's own verdict
    "you": {"ok": None, "keep": NONE, "complaint": POSSIBLE, "third": NONE, "first": NONE,
            "statement": NONE, "past_question": NONE, "question": None, "conditional": NONE},
    "i": {"ok": None, "keep": NONE, "complaint": NONE, "third": POSSIBLE, "first": None,
          "statement": None, "past_question": POSSIBLE, "question": POSSIBLE,
          "conditional": NONE},
    "neg": {"ok": None, "keep": NONE, "complaint": NONE, "third": NONE, "first": None,
            "statement": NONE, "past_question": NONE, "question": None, "conditional": NONE},
    "any": {"ok": None, "keep": NONE, "complaint": POSSIBLE, "third": NONE, "first": None,
            "statement": None, "past_question": NONE, "question": None, "conditional": NONE},
    "opt": {"ok": None, "keep": NONE, "complaint": POSSIBLE, "third": POSSIBLE, "first": None,
            "statement": None, "past_question": POSSIBLE, "question": POSSIBLE,
            "conditional": POSSIBLE},
    "start": {"ok": None, "keep": NONE, "complaint": NONE, "third": NONE, "first": NONE,
              "statement": NONE, "past_question": NONE, "question": NONE, "conditional": NONE},
}  # fmt: skip


# --- rules ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rule:
    name: str
    language: str
    pattern: re.Pattern[str]
    verdict: Verdict
    frame: _Frame
    on_restriction: Verdict = POSSIBLE
    on_other: Verdict = POSSIBLE
    on_other_object: Verdict | None = None  # None: as on_other
    objects: bool = True  # a messaging or list object may follow the match
    noun_guard: bool = False  # "the opt out link", "l'arrêt de bus": a noun, not a request
    call_me_matters: bool = False  # "don't text me, call me" is not a revocation of calls


def _rule(
    name: str,
    language: str,
    pattern: str,
    verdict: Verdict,
    frame: _Frame,
    *,
    on_restriction: Verdict = POSSIBLE,
    on_other: Verdict = POSSIBLE,
    on_other_object: Verdict | None = None,
    objects: bool = True,
    noun_guard: bool = False,
    call_me_matters: bool = False,
) -> _Rule:
    """A rule matching whole words of a clause."""
    return _Rule(
        name,
        language,
        re.compile(rf"(?<!\S)(?:{pattern})(?!\S)"),
        verdict,
        frame,
        on_restriction=on_restriction,
        on_other=on_other,
        on_other_object=on_other_object,
        objects=objects,
        noun_guard=noun_guard,
        call_me_matters=call_me_matters,
    )


_C, _P, _N = CLEAR, POSSIBLE, NONE
_MYNUM = r"(?:my|this) (?:number|phone number|phone|cell|cell number|mobile|digits)"

# One rule a line or a few: the table reads better than ruff's one argument a line.
# fmt: off
_RULES: tuple[_Rule, ...] = (
    # English: stop + messaging verb or object
    _rule("stop texting me", "en", rf"{_STOP} (?:{_TEXTING})(?: {_ME}|{_NOT_OTHERS})", _C, "you"),
    _rule(
        "stop sending messages", "en",
        rf"{_STOP} {_SENDING}(?: {_ME})?(?: (?:any more|anymore|more|any))? {_DET}{_MSG}",
        _C, "you",
    ),
    _rule(
        "stop sending reminders", "en",
        rf"{_STOP} {_SENDING}(?: {_ME})?(?: (?:any more|anymore|more|any))? {_DET}{_MSG_TX}",
        _P, "you",
    ),
    _rule(
        "stop sending", "en", rf"{_STOP} {_SENDING}(?: {_ME})?(?: {_PRONOUN_OBJECT})?", _C,
        "you", on_other=_N, objects=False,
    ),
    _rule("stop the messages", "en",
          rf"(?:{_STOP}|end|cancel|terminate|kill) {_DET}{_MSG}{_NOT_OTHERS}", _C, "you"),
    _rule("stop the reminders", "en", rf"(?:{_STOP}|end|cancel|terminate) {_DET}{_MSG_TX}", _P,
          "you", on_other=_N),
    _rule("no more texts", "en", rf"(?:no|zero) (?:more|further) {_DET}{_MSG}", _C, "any"),
    _rule("no more reminders", "en", rf"(?:no|zero) (?:more|further) {_DET}{_MSG_TX}", _P, "any"),
    _rule(
        "don't text me", "en",
        rf"(?:dont|do not|never)(?: ever)? (?:text|txt|message|msg|sms|contact|text or call|"
        rf"call or text|contact or text|reach out to|hit up|hmu|write to|write)(?: {_ME})",
        _C, "neg", call_me_matters=True,
    ),
    _rule(
        "don't text", "en",
        r"(?:dont|do not|never)(?: ever)? (?:text|txt|message|msg|sms|contact|text or call|"
        r"call or text)",
        _C, "neg", on_other=_N, call_me_matters=True,
    ),
    _rule(
        "don't send me messages", "en",
        rf"(?:dont|do not|never)(?: ever)? send(?: {_ME})?(?: (?:any more|anymore|more|any|"
        rf"further))? {_DET}{_MSG}",
        _C, "neg",
    ),
    _rule("don't call me", "en",
          rf"(?:dont|do not|never)(?: ever)? (?:call|phone|email|e mail|ring)(?: {_ME})?",
          _P, "neg", on_other=_N),
    _rule(
        "I don't want texts", "en",
        rf"(?:dont|do not|no longer|never|dont really|do not really) (?:want|wish|wanna|need|"
        r"like)(?: to)?(?: (?:receive|recieve|get|be sent|have|be getting|keep getting|"
        rf"keep receiving|continue receiving|continue to receive))?(?: (?:any more|anymore|more|"
        rf"any|further))? {_DET}{_MSG}",
        _C, "i",
    ),
    _rule(
        "I don't want reminders", "en",
        rf"(?:dont|do not|no longer|never) (?:want|wish|wanna|need)(?: to)?(?: (?:receive|get|"
        rf"be sent))?(?: (?:any more|anymore|more|any))? {_DET}{_MSG_TX}",
        _P, "i",
    ),
    _rule(
        "I don't want to be contacted", "en",
        r"(?:dont|do not|no longer|never) (?:want|wish|wanna)(?: to)? (?:be (?:contacted|texted|"
        r"messaged|bothered|on (?:your|this|the) list|on your texting list)|receive (?:anything|"
        r"them|these|this)|get (?:them|these|this|anything))",
        _C, "i",
    ),
    _rule(
        "I'd like to no longer receive texts", "en",
        r"(?:like|want|wish|prefer|d like|would like|need) to no longer (?:receive|get|be sent|"
        r"be contacted|be texted|hear from)",
        _C, "i", on_other=_N,
    ),
    _rule("I don't want these", "en",
          r"(?:dont|do not|no longer) (?:want|need) (?:these|this|them|those|it|that)", _P, "i",
          on_other=_N, objects=False),
    _rule(
        "I want to opt out", "en",
        rf"(?:want|wanna|would like|d like|wish|need|choose|chose|decided|prefer|am asking|"
        rf"m asking|request|requesting|asking)(?: to)? (?:opt out|optout|{_UNSUB}|"
        r"be (?:removed|taken off|deleted|unsubscribed|opted out|excluded)|"
        r"stop (?:receiving|recieving|getting)|revoke|withdraw)",
        _C, "i", on_other=_N,
    ),
    _rule("opt out", "en", r"(?:opt|opting) (?:me |us |this number )?out|optout", _C, "opt",
          on_other=_N, noun_guard=True),
    _rule("unsubscribe", "en", rf"{_UNSUB}(?: (?:me|us|{_MYNUM}))?", _C, "opt", on_other=_N,
          noun_guard=True),
    _rule(
        "already unsubscribed", "en",
        r"(?:unsubscribed|unsubscribing|unsubbed|opted out|already opted out|tried to unsubscribe|"
        r"tried to opt out|trying to unsubscribe|trying to opt out)",
        _P, "any", on_other=_N,
    ),
    _rule(
        "I said stop", "en",
        r"(?:i|ive|i ve|i have|i had|we|weve|already)(?: (?:already|have|ve|had|just|literally))*"
        r" (?:said|texted|txted|replied|responded|answered|sent|typed|wrote|told you|asked you to|"
        r"asked) (?:you )?(?:stop+|unsubscribe|opt out|remove me|arret|alto|baja|parar)",
        _C, "any", on_other=_N,
    ),
    _rule("remove me", "en", rf"(?:remove|delete|erase|unlist|unenroll|unenrol) {_WHO}", _C, "you",
          on_other_object=_N),
    _rule(
        "take me off", "en",
        rf"(?:take|get|kick|scratch|cross|strike|leave) {_WHO} (?:off|out of|off of)", _C, "you",
        on_other=_N,
    ),
    _rule("lose my number", "en", rf"(?:lose|forget|toss|burn|delete) {_MYNUM}", _C, "you"),
    _rule("cancel me", "en", r"(?:cancel|drop) (?:me|us|my number)(?= (?:from|off))", _C, "you",
          on_other=_N),
    _rule("cancel me?", "en", r"(?:cancel|drop) (?:me|us|my number)", _P, "you", on_other=_N),
    _rule(
        "have me removed", "en",
        r"(?:be|get|have me|get me|got) (?:removed|taken off|deleted|unsubscribed|opted out|"
        r"erased|excluded)",
        _C, "i", on_other_object=_N,
    ),
    _rule(
        "revoke my consent", "en",
        r"(?:revoke|revoking|withdraw|withdrawing|rescind|rescinding|retract|retracting|"
        r"take back|taking back|cancel|cancelling|canceling)(?: (?:my|all|any|of my|our))? "
        r"(?:consent|permission|authorization|authorisation|opt in|optin)",
        _C, "any", on_other_object=_N,
    ),
    _rule(
        "I do not consent", "en",
        r"(?:dont|do not|no longer|never) (?:consent|give (?:you )?consent|give permission|"
        r"agree)",
        _C, "i", on_other_object=_N,
    ),
    _rule(
        "cancel my text subscription", "en",
        r"(?:cancel|end|stop|terminate|remove|quit) (?:my|the|this|your) (?:text|sms|texting|txt|"
        r"text message|message|messaging) (?:subscription|subscriptions|service|program|plan|"
        r"alerts|list)",
        _C, "you",
    ),
    _rule(
        "cancel my subscription to texts", "en",
        rf"(?:cancel|end|stop|terminate) (?:my|the|this|your) subscriptions? (?:to|for|of) "
        rf"{_DET}{_MSG}",
        _C, "you",
    ),
    _rule("cancel my subscription", "en",
          r"(?:cancel|end|stop|terminate) my subscriptions?", _P, "you", on_other=_N),
    # English: may be a revocation
    _rule(
        "leave me alone", "en",
        r"leave (?:me|us) (?:alone|be|the hell alone|in peace)|go away|get lost|back off|"
        r"(?:f|fuck|frick|frig|screw|piss|bugger|buzz|sod|eff) off|fuck you|f you|go to hell|"
        r"cease and desist",
        _P, "you",
    ),
    _rule(
        "why do you keep texting", "en",
        r"(?:why|how come|y)(?: (?:do|does|are|r|would|the hell|tf|on earth|in the world))?"
        r"(?: (?:you|u|ya|yall|you guys|you people|y all))?(?: (?:keep|keeps|still|always|"
        r"continue to|keep on))? (?:texting|txting|messaging|msging|contacting|spamming|"
        r"calling and texting|hitting me up|blowing up my phone)",
        _P, "any",
    ),
    _rule(
        "why do you keep sending this", "en",
        rf"(?:why|how come|y)(?: (?:do|does|are|r|would|the hell|tf))?(?: (?:you|u|ya|yall|"
        rf"you guys|you people|y all))?(?: (?:keep|keeps|still|always))? sending(?: me| us)?"
        rf"(?: {_DET}(?:{_MSG}|{_MSG_TX})| {_PRONOUN_OBJECT})",
        _P, "any",
    ),
    _rule(
        "why am I getting these", "en",
        r"why (?:am i|do i keep|do i|is my phone|im|i am|are we|do we)(?: still)? (?:getting|"
        r"receiving|recieving)",
        _P, "any",
    ),
    _rule("you keep texting me", "en",
          r"(?:you|u|y all|yall|you guys|you people) (?:keep|keeps|still|won t stop) (?:texting|"
          r"messaging|sending me|contacting|spamming|blowing up)", _P, "any"),
    _rule(
        "how did you get my number", "en",
        r"(?:how|where|who)(?: the hell| tf| on earth)? (?:did|do|d|does|have) (?:you|u|ya|yall|"
        r"you guys|you people|y all) (?:get|got|find|obtain|acquire) (?:my|this) (?:number|"
        r"phone number|cell|cell number|digits|contact|info)|who gave (?:you|u|ya|yall) "
        r"(?:my|this) (?:number|phone number|cell|contact|info)|(?:how|why) (?:do|does|did) "
        r"(?:you|u|ya|yall|you guys) (?:have|got) (?:my|this) (?:number|phone number|cell)",
        _P, "any",
    ),
    _rule(
        "I never signed up", "en",
        r"(?:never|didnt|did not|dont remember|do not remember|cant remember|never ever|not)"
        r"(?: (?:ever|even|once))? (?:sign(?:ed|ing)? up|subscribe[ds]?|subscribing|"
        r"opt(?:ed)? in|opting in|agree[ds]?|agreeing|consent(?:ed)?|consenting|"
        r"(?:gave|give) you (?:my|this) number|ask(?:ed)? for (?:this|these|them|texts|"
        r"messages|any of this|it))",
        _P, "any",
    ),
    _rule("harassment", "en",
          r"harass(?:ment|ing|ed|es)?|spam(?:mer|ming|my)?(?! (?:folder|filter|box|bin))|"
          r"scam(?:mer|ming|my)?|stalking me|stalker", _P, "any"),
    _rule("enough already", "en",
          r"enough already|enough is enough|thats enough|that s enough|had enough|"
          r"enough with (?:the|these|this|your|all)", _P, "any"),
    _rule("not interested", "en", r"(?:not|no longer|nt) interested", _P, "any",
          on_restriction=_N, on_other=_N),
    _rule(
        "wrong number", "en",
        r"wrong (?:number|person|#|num)|not (?:the right|the) person|(?:this|it) (?:isnt|is not|"
        r"s not|aint) (?:my|his|her|their) (?:number|phone)|no longer (?:my|his|her|their) "
        r"number|(?:doesnt|does not|dont|do not) belong to(?: [a-z]+)?|not my number",
        _P, "any", on_restriction=_N, on_other=_N,
    ),
    _rule(
        "this isn't <name>", "en",
        r"(?:this|it) (?:isnt|is not|s not|aint) (?!right|correct|true|working|fair|ok|okay|"
        r"good|possible|available|mine|what|how|the|my|a|an|it|that|enough|funny|too|so|very|"
        r"really|necessary|needed)[a-z]+$",
        _P, "any", objects=False,
    ),
    _rule(
        "I'm reporting you", "en",
        r"(?:report|reporting|block|blocking|sue|suing)(?: (?:you|u|this number|this|your number|"
        r"your company|you guys|y all|yall|this company|your business))|(?:blocked|reported) "
        r"(?:you|this number|your number)|fcc|ftc|tcpa|do not call list|dnc list|"
        r"attorney general",
        _P, "any",
    ),
    _rule(
        "how do I stop these", "en",
        r"(?:how (?:do|can|would|should) (?:i|we)|how to|is there (?:a|any) way to|"
        r"what do i (?:do|reply|text|send) to|can i|could i) (?:stop|end|turn off|get rid of|"
        r"stop getting|stop receiving|block|mute)(?: (?:these|this|them|the texts|the messages|"
        r"texts|messages|your texts|getting|receiving))",
        _P, "any",
    ),
    _rule(
        "too many texts", "en",
        r"(?:too|so|way too|far too) many (?:texts|messages|msgs|txts|notifications|reminders)|"
        r"text(?:s|ing)?(?: me)?(?: (?:way|far|so|too))+ (?:much|often)|(?:too|so) much "
        r"(?:texting|spam)",
        _P, "any",
    ),
    _rule(
        "stop bothering me", "en",
        r"(?:stop+|quit|cease) (?:bothering|bugging|pestering|hassling|annoying|stalking|"
        r"harassing|asking|calling|ringing|emailing|e mailing|phoning|hounding|nagging)"
        r"(?: me| us)?",
        _P, "you", on_other=_N, on_other_object=_P,
    ),
    _rule("make it stop", "en",
          r"make (?:it|this|them|these|those|this madness|(?:the|these|those|your|all these|"
          r"all the|all your) (?:texts|messages|msgs|notifications)) stop", _P, "any"),
    _rule(
        "I don't know you", "en",
        r"(?:dont|do not) know (?:you|u|who you are|who this is|this number|you people)|"
        r"(?:sick|tired) of (?:these|your|the|all these|getting) (?:texts|messages)|"
        r"sick and tired|fed up with (?:these|your|the) (?:texts|messages)|how many times do i "
        r"(?:have|need) to (?:say|tell you|ask)",
        _P, "any",
    ),
    _rule(
        "another text today", "en",
        r"(?:\d+(?:st|nd|rd|th)|another|yet another|second|third|fourth|fifth|sixth) "
        r"(?:text|message|msg|txt)s?(?: (?:today|this week|this morning|tonight|in a row|"
        r"in an hour|since))",
        _P, "any",
    ),
    # French
    _rule(
        "arrêtez de m'écrire", "fr",
        rf"{_FR_STOP} (?:de |d )?{_FR_ME} (?:ecrire|texter|textoter|contacter|recontacter|"
        r"spammer|solliciter|spamer)",
        _C, "you",
    ),
    _rule("arrêtez de m'envoyer des messages", "fr",
          rf"{_FR_STOP} (?:de |d )?{_FR_ME} envoyer {_FR_MSG}", _C, "you"),
    _rule("arrêtez de m'envoyer", "fr", rf"{_FR_STOP} (?:de |d )?{_FR_ME} envoyer", _C, "you",
          on_other=_N, objects=False),
    _rule(
        "arrêtez de m'appeler", "fr",
        rf"{_FR_STOP} (?:de |d )?{_FR_ME} (?:appeler|harceler|deranger|embeter|importuner|"
        rf"relancer|envoyer {_FR_MSG_TX})",
        _P, "you",
    ),
    _rule("arrêtez les messages", "fr",
          rf"(?:{_FR_STOP}|halte|fini|finis|assez|marre) {_FR_MSG}", _C, "you"),
    _rule(
        "ne m'écrivez plus", "fr",
        r"(?:ne|n) (?:me|m|nous) (?:ecrivez|envoyez|textez|contactez|recontactez|ecris|envoie|"
        r"envoies|texte|textes|contacte|sollicitez|spammez|relancez) (?:plus|jamais)",
        _C, "neg",
    ),
    _rule("ne m'appelez plus", "fr",
          r"(?:ne|n) (?:me|m|nous) (?:appelez|appelle|derangez|harcelez) (?:plus|jamais)", _P,
          "neg"),
    _rule(
        "merci de ne plus me contacter", "fr",
        r"ne plus (?:me |m |nous )?(?:contacter|ecrire|envoyer|texter|solliciter|relancer|"
        r"recevoir|etre contacte|etre contactee|etre sollicite|etre sollicitee)",
        _C, "any",
    ),
    _rule(
        "je ne veux plus recevoir", "fr",
        r"(?:(?:ne|n) )?(?:veux|souhaite|desire|voudrais|veut|souhaiterais) (?:plus|plus jamais|"
        r"pas|jamais|aucun|aucune) (?:recevoir|avoir|etre (?:contacte|contactee|sollicite|"
        r"sollicitee|relance|relancee|derange|derangee))",
        _C, "i", on_other=_N,
    ),
    _rule("je ne veux plus de vos messages", "fr",
          rf"(?:ne|n) (?:veux|souhaite|desire|voudrais) (?:plus|pas|aucun|aucune) {_FR_MSG}", _C,
          "i"),
    _rule("je veux plus de messages", "fr",
          rf"(?:veux|souhaite|desire|voudrais) (?:plus|pas|aucun) {_FR_MSG}", _P, "i"),
    _rule(
        "retirez-moi de votre liste", "fr",
        r"(?:retirez|retire|retirer|enlevez|enleve|enlever|supprimez|supprime|supprimer|effacez|"
        r"efface|effacer|rayez|rayer|sortez|sortir|otez|desinscrivez|desinscris|desinscrire|"
        r"desabonnez|desabonne|desabonner|radiez|radier) (?:moi|nous|mon numero|mon numero de "
        r"telephone|mon telephone|mon portable|mon contact|mes coordonnees|ce numero)",
        _C, "you", on_other_object=_N,
    ),
    _rule(
        "me désabonner", "fr",
        r"(?:me|m|nous) (?:retirer|enlever|supprimer|effacer|rayer|sortir|desinscrire|desabonner|"
        r"radier|retirez|enlevez|supprimez|desinscrivez|desabonnez)",
        _C, "opt", on_other_object=_N,
    ),
    _rule(
        "plus de messages", "fr",
        r"(?:plus de|plus d|pas de|fini les|assez de|assez des|marre des|marre de) (?:messages?|"
        r"sms|textos?|pubs?|publicites?|promos?|promotions?|spams?)",
        _C, "start",
    ),
    _rule(
        "j'ai déjà dit stop", "fr",
        r"(?:j ai|je vous ai|on vous a|je l ai)(?: (?:deja|bien|pourtant))* (?:dit|ecrit|envoye|"
        r"repondu|demande)(?: (?:de|d))? (?:stop|arret|arreter|me desinscrire|me desabonner)",
        _C, "any", on_other=_N,
    ),
    _rule(
        "laissez-moi tranquille", "fr",
        r"(?:laissez|laisse|lachez|lache|foutez|fichez|fous|fiche) (?:moi|nous)(?: (?:tranquille|"
        r"tranquilles|la paix|en paix))?",
        _P, "you", on_other=_N,
    ),
    _rule(
        "pourquoi vous m'écrivez", "fr",
        r"pourquoi (?:est ce que )?(?:vous|tu) (?:me|m|nous) (?:envoyez|ecrivez|contactez|textez|"
        r"harcelez|envoies|ecris|relancez|appelez|spammez)|pourquoi (?:je recois|j ai) (?:ces|"
        r"vos|des|encore des|tous ces) (?:messages|sms|textos)",
        _P, "any",
    ),
    _rule(
        "comment avez-vous eu mon numéro", "fr",
        r"(?:comment|ou) (?:avez vous|vous avez|as tu|t as|tu as) (?:eu|obtenu|trouve|recupere) "
        r"(?:mon|ce) numero|qui vous a donne (?:mon|ce) numero",
        _P, "any",
    ),
    _rule(
        "je ne me suis jamais inscrit", "fr",
        r"(?:jamais|pas) (?:inscrit|inscrite|abonne|abonnee|donne mon numero|accepte|consenti|"
        r"demande (?:ca|ces messages|quoi que ce soit))",
        _P, "any",
    ),
    _rule(
        "c'est du harcèlement", "fr",
        r"harcelement|harceler|harcelez|ca suffit|y en a marre|j en ai marre|spam|"
        r"trop de (?:messages|sms|textos)|porter plainte|(?:bloquer|signaler) (?:ce|votre) numero|"
        r"je vais vous (?:bloquer|signaler)",
        _P, "any",
    ),
    _rule(
        "je ne vous connais pas", "fr",
        r"(?:je ne|je n|j) (?:vous|te) connais pas|(?:je ne|je n|j) connais pas ce numero|"
        r"ca commence a (?:bien )?faire|(?:tous|toutes) ces (?:messages|sms|textos)|"
        r"(?:n ai|ai) rien demande|encore un (?:message|sms|texto)|"
        r"combien de fois (?:faut il|dois je|je dois) (?:le )?(?:dire|repeter)",
        _P, "any",
    ),
    _rule(
        "je veux être retiré de votre liste", "fr",
        r"(?:etre|me faire|nous faire) (?:retire|retiree|retires|desinscrit|desinscrite|"
        r"desabonne|desabonnee|supprime|supprimee|enleve|enlevee|raye|rayee)",
        _C, "i", on_other_object=_N,
    ),
    _rule("pas intéressé", "fr", r"(?:pas|plus) interesse(?:e|s|es)?", _P, "any", on_other=_N),
    _rule("mauvais numéro", "fr", r"(?:mauvais|faux) numero|erreur de numero", _P, "any",
          on_restriction=_N, on_other=_N),
    # Spanish
    _rule(
        "dejen de escribirme", "es",
        r"(?:dejen|deja|deje|dejes|dejar|paren|para|pare|parar|paren ya|dejen ya) de "
        r"(?:escribirme|textearme|contactarme|mensajearme|spamearme|escribirnos|contactarnos|"
        r"escribir|textear|contactar)",
        _C, "you",
    ),
    _rule(
        "dejen de enviarme mensajes", "es",
        r"(?:dejen|deja|deje|dejes|dejar|paren|para|pare|parar) de (?:enviarme|mandarme|"
        rf"enviarnos|mandarnos|enviar|mandar) {_ES_MSG}",
        _C, "you",
    ),
    _rule(
        "dejen de enviarme", "es",
        r"(?:dejen|deja|deje|dejes|dejar|paren|para|pare|parar) de (?:enviarme|mandarme|"
        r"enviarnos|mandarnos)",
        _C, "you", on_other=_N, objects=False,
    ),
    _rule(
        "dejen de llamarme", "es",
        r"(?:dejen|deja|deje|paren|para|pare) de (?:llamarme|molestarme|llamar|molestar|"
        rf"fastidiarme|acosarme|(?:enviarme|mandarme) {_ES_MSG_TX})",
        _P, "you",
    ),
    _rule(
        "no me escriban", "es",
        r"no me (?:escriban|escribas|escriba|contacten|contactes|contacte|texteen|textees|"
        r"mensajeen)",
        _C, "neg",
    ),
    _rule(
        "no me envíen mensajes", "es",
        rf"no me (?:envien|manden|mandes|envies|envie|mande)(?: (?:mas|nunca mas))? {_ES_MSG}",
        _C, "neg",
    ),
    _rule(
        "no me envíen", "es", r"no me (?:envien|manden|mandes|envies|envie|mande)(?: mas)?", _C,
        "neg", on_other=_N, objects=False,
    ),
    _rule("no me llamen", "es", r"no me (?:llamen|llames|molesten|molestes)", _P, "neg"),
    _rule(
        "ya no quiero recibir mensajes", "es",
        rf"no (?:quiero|deseo|quisiera|necesito)(?: (?:recibir|seguir recibiendo|que me "
        rf"(?:envien|manden|escriban)))?(?: (?:mas|ningun|ninguna))? {_ES_MSG}",
        _C, "i",
    ),
    _rule(
        "ya no quiero recibir", "es",
        r"no (?:quiero|deseo|quisiera) (?:recibir|seguir recibiendo|ser contactad[oa]|que me "
        r"(?:envien|manden|escriban|contacten))|dejar de recibir",
        _C, "i", on_other=_N,
    ),
    _rule("no más mensajes", "es", rf"no mas {_ES_MSG}|basta de {_ES_MSG}", _C, "any"),
    _rule(
        "quítenme de su lista", "es",
        r"(?:quitenme|quiteme|quitame|sacame|saquenme|saqueme|borrenme|borreme|borrame|"
        r"eliminenme|elimineme|eliminame|denme de baja|deme de baja|dame de baja|darme de baja|"
        r"me (?:quiero |pueden |puede )?dar de baja|bajenme|desuscribanme|desuscribirme|"
        r"desinscribanme|desinscribirme|desuscribame|desuscribeme)",
        _C, "opt", on_other=_N,
    ),
    _rule(
        "quiten mi número", "es",
        r"(?:quiten|borren|eliminen|saquen|quita|borra|elimina|saca|quite|borre|elimine|"
        r"dar de baja|den de baja|de de baja) (?:mi numero|mi telefono|mi celular|este numero|"
        r"mi contacto|mis datos|mi suscripcion)",
        _C, "you",
    ),
    _rule("dar de baja", "es", r"dar de baja(?: (?:los|estos|mis) mensajes)?", _C, "opt",
          on_other=_N),
    _rule(
        "cancelar los mensajes", "es",
        r"(?:cancelar|cancelen|cancela|cancele|terminar|detener|detengan|paren|parar|alto a) "
        rf"{_ES_MSG}",
        _C, "you",
    ),
    _rule(
        "ya les dije", "es",
        r"(?:ya )?(?:les|le|te) (?:dije|pedi|escribi|mande|envie|conteste|respondi)(?: que)? "
        r"(?:alto|baja|parar|stop|ya no)",
        _C, "any", on_other=_N,
    ),
    _rule(
        "déjenme en paz", "es",
        r"(?:dejenme|dejame|dejeme|dejanos|dejennos) (?:en paz|tranquil[oa]s?)",
        _P, "you",
    ),
    _rule(
        "por qué me siguen escribiendo", "es",
        r"por que (?:me |nos )?(?:siguen|sigues|sigue) (?:escribiendo|mandando|enviando|llamando|"
        r"molestando|texteando)|por que me (?:escriben|mandan|envian|escribes|mandas|contactan|"
        r"llaman|textean)",
        _P, "any",
    ),
    _rule(
        "cómo consiguieron mi número", "es",
        r"(?:como|de donde|donde) (?:consiguieron|obtuvieron|sacaron|tienen|consiguio|obtuvo|"
        r"saco|tiene|consiguen|sacan) (?:mi|este) numero|quien (?:les|le|te) (?:dio|paso) "
        r"mi numero",
        _P, "any",
    ),
    _rule(
        "nunca me inscribí", "es",
        r"nunca me (?:inscribi|suscribi|registre|apunte|di de alta)|(?:yo )?no me (?:inscribi|"
        r"suscribi|registre|apunte)|nunca (?:di|les di|autorice|acepte)",
        _P, "any",
    ),
    _rule(
        "esto es acoso", "es",
        r"acoso|acosando|acosar|ya basta|basta ya|(?:son )?(?:demasiados|muchos|tantos) "
        r"mensajes|spam|(?:voy a|los voy a|les voy a) (?:reportar|bloquear|denunciar)|"
        r"no molesten|dejen de molestar",
        _P, "any",
    ),
    _rule(
        "no conozco este número", "es",
        r"no (?:conozco|se de quien es) (?:este numero|a (?:usted|ustedes))|no (?:los|las|lo|la|"
        r"te) conozco|ya no se como decirles|cuantas veces (?:les|te|le) (?:tengo que|he) "
        r"(?:decir|dicho)|me (?:tienen|tiene|traen) (?:hart[oa]s?|cansad[oa]s?|hasta la madre)|"
        r"otro mensaje mas|ya estuvo (?:bueno|bien) (?:con|de)",
        _P, "any",
    ),
    _rule("no me interesa", "es", r"no me interesa|no estoy interesad[oa]", _P, "any",
          on_other=_N),
    _rule("número equivocado", "es",
          r"numero equivocado|se equivocaron de numero|equivocado de numero", _P, "any",
          on_restriction=_N, on_other=_N),
)
# fmt: on

# --- keywords on their own -----------------------------------------------------------------

_KEYWORD_CLEAR = _any(
    r"stop+", "stahp", "stopall", "stop all", "unsubscribe", "unsub", "unsuscribe",
    "unsubcribe", "unsubscibe", "unsubsribe", "opt out", "optout", "opt me out", "revoke",
    "arret", "arretez", "arretez tout", "stop tout", "desabonnement", "desinscription",
    "desabonner", "desinscrire", "alto", "parar", "paren", "baja", "stopp",
)  # fmt: skip
_KEYWORD_POSSIBLE = _any(
    "cancel", "end", "quit", "cancelar", "cancelen", "cancela", "fin", "basta", "enough",
    "arrete", "annuler", "annulez", "halt", "cease", "no more", "no mas", "plus rien", "assez",
    "terminar", "enough already", "stop it", "stop this", "stop that",
)  # fmt: skip
_LEADIN = _any(
    "please", "pls", "plz", "plez", "plse", "just", "ok", "okay", "k", "kk", "again",
    "seriously", "for the last time", "wrong number", "wrong #", "not interested",
    "no longer interested", "no thanks", "no thank you", "no", "nope", "nah", "hey", "hi",
    "hello", "yo", "dude", "man", "bro", "sir", "maam", "omg", "oh my god", "jeez", "ugh", "god",
    "damn", "fuck", "fucking", "f", "ffs", "wtf", "lol", "lmao", "haha", "sorry", "thanks",
    "thank you", "who is this", "whos this", "who s this", "i said", "i already said",
    "i ve said", "ive said", "i have said", "i told you", "i ve told you", "already", "so",
    "now", "and", "but", "yes", "yeah", "yep", "i mean it", "enough", "i m done", "im done",
    "i m not interested", "im not interested", "i said it", "for god s sake", "please just",
    "svp", "s il vous plait", "s il te plait", "stp", "merci", "bonjour", "bonsoir", "non",
    "mauvais numero", "pas interesse", "pas interessee", "j ai dit", "je vous ai dit",
    "j ai deja dit", "deja", "encore", "oui", "por favor", "porfa", "porfavor", "xfa", "favor",
    "gracias", "hola", "buenas", "numero equivocado", "no me interesa", "ya", "ya les dije",
    "les dije", "si", "oiga", "senor", "ya basta",
)  # fmt: skip
_TRAIL = _any(
    _FILLER, "it", "this", "that", "all", "everything", "this number", "stop+", "tout",
    "todo", "right away", "i mean it", "now please", "already please",
)  # fmt: skip
_BARE = re.compile(
    rf"^(?:(?:{_LEADIN}) )*(?P<keyword>{_KEYWORD_CLEAR}|{_KEYWORD_POSSIBLE})"
    rf"(?: (?:{_KEYWORD_CLEAR}|{_KEYWORD_POSSIBLE}))*(?P<rest>(?: .*)?)$"
)
_KEYWORD_CLEAR_RE = re.compile(rf"^{_KEYWORD_CLEAR}$")
# Words that, after a comma, support a bare keyword: "Stop, I get enough spam".
_SUPPORT = re.compile(
    r"(?<!\S)(?:never|not|no|dont|didnt|stop+|wrong|enough|spam|unsubscribe|remove|who|why|"
    r"again|already|times|please|pls|thanks|thank|signed|sign|interested|number|texts?|texting|"
    r"messages?|harass\w*|annoying|bother\w*|seriously|leave|alone|opt|list|consent|pas|plus|"
    r"jamais|svp|merci|numero|sms|arretez|desabonnement|ya|nunca|favor|gracias|mensajes|baja|"
    r"alto)(?!\S)"
)

# A keyword ending a short text after other words: "thanks for the info stop".
_PER_SE = re.compile(
    r"(?<!\S)(?:stop+|quit|end|cancel|unsubscribe|revoke|optout|opt out|arret|arretez|parar|"
    r"cancelar|annuler)(?!\S)"
)
_NOUN_MARKERS = frozenset(
    {"a", "an", "the", "bus", "last", "next", "first", "one", "full", "pit", "truck", "rest",
     "non", "each", "every", "my", "your", "our", "their", "this", "that", "quick", "short",
     "final", "second", "third", "another", "tram", "train", "subway", "metro", "more", "l",
     "la", "le", "un", "une", "el", "los", "las", "una", "mi", "tu", "su", "de", "del",
     "planta", "sans", "au", "du", "no", "to", "will", "would", "should", "must", "gonna",
     "can", "could", "might", "may", "shall", "never", "dont", "cant", "wont", "didnt",
     "doesnt", "not", "lets", "let", "weekend", "week", "month", "year", "day"}
)  # fmt: skip

# --- the whole message ---------------------------------------------------------------------

_LAUGHTER = re.compile(
    r"(?<!\S)(?:l+o+l+(?:o+l+)*|lmf?ao+|rofl|(?:ha){2,}h?|(?:he){2,}|(?:ja){2,}|(?:je){2,}|jk|"
    r"mdr|ptdr|xd|just kidding|kidding|me fais (?:trop )?rire|trop drole|you re too kind|"
    r"youre too kind|laughing|im dying|i m dying|hilarious|too funny|so funny|muero de risa|"
    r"me muero)(?!\S)"
)
_ENTHUSIASM = re.compile(
    r"(?<!\S)(?:amazing|awesome|no way|wow|yay|congrats|congratulations|love it|so excited|"
    r"great news|best news|incroyable|genial|trop bien|no manches|que bien|increible|"
    r"no puede ser|omg no way)(?!\S)"
)
_SECOND_THOUGHTS = re.compile(
    r"(?<!\S)(?:wait|actually|never ?mind|nvm|oops|disregard|ignore (?:that|this|my last)|"
    r"sorry wrong (?:chat|person|thread|number)|attendez|en fait|perdon|espera|esperen)(?!\S)"
)
_WANTS_TEXTS = re.compile(
    r"(?<!\S)(?<!you )(?<!u )(?<!ya )(?<!guys )(?<!people )(?<!they )(?<!yall )"
    r"(?:keep (?:the |those |these |them |your |sending )?(?:texts?|texting|messages|"
    r"reminders|updates|deals|coming)|keep (?:me|us) (?:on|in) (?:the|your) list|"
    r"(?:the )?texts? (?:are|is) (?:fine|ok|okay|good|great)|turn (?:them|it|the texts) back on|"
    r"text me instead|prefer texts?|everything by text|still want (?:the )?texts)(?!\S)"
)
_CALL_ME = re.compile(r"(?<!\S)(?:call|phone|email|e mail|ring) (?:me|us)(?!\S)")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Common words of each language (accents folded); the keywords themselves do not vote.
_MARKERS: dict[str, frozenset[str]] = {
    "en": _words(
        "the you your i me my please pls thanks thank is are to this that and it what can at "
        "for of dont with will be have we just text texting texts number want not more "
        "anymore remove list off from who how why did get sign up im ok okay lol u ur am do "
        "keep leave alone sending messages message unsubscribe these again already never "
        "enough go away wrong said in on take out opt were been would could should when where "
        "there by an hi hello yes a if so but or all any re ll ve s t d was has had need see "
        "thanks tomorrow today time after before about our they them he she his her than "
        "minutes late promise"
    ),
    "fr": _words(
        "je vous de des le les moi svp merci plus ne pas est c ce ca mon ma mes votre vos et "
        "pour avec bonjour oui m me j l d qu qui un une tu nous sur au aux du en suis ai "
        "jamais numero tranquille liste retirez s il plait n y a peut quand rendez passer "
        "demain on se vers quelle heure termine visite bail table prendra mois chez "
        "aujourd hui matin soir semaine cette faut elle ils notre nos aussi tres mais ou donc "
        "car sans dans par avez etes sont fait ecrivez envoyer messages desole"
    ),
    "es": _words(
        "no me de la el los las por favor que mi mas es esta y para con hola gracias quiero ya "
        "su sus un una en lo se te les usted ustedes porfa mensajes numero dejen lista "
        "nunca esto equivocado puedo cita pueden hay a del al ahora quien como donde queda "
        "bien cuando esten estan afuera tengo tiene hoy manana semana mes pero muy tambien "
        "son sin favor llamen escriban envien manden hacer puede necesito"
    ),
}
_KEYWORD_LANGUAGE = {
    "arret": "fr", "arretez": "fr", "arrete": "fr", "desabonnement": "fr", "desinscription": "fr",
    "desabonner": "fr", "desinscrire": "fr", "annuler": "fr", "annulez": "fr", "assez": "fr",
    "plus rien": "fr", "arretez tout": "fr", "stop tout": "fr", "alto": "es", "parar": "es",
    "paren": "es", "baja": "es", "cancelar": "es", "cancelen": "es", "cancela": "es",
    "basta": "es", "no mas": "es", "terminar": "es", "fin": "",
}  # fmt: skip


def detect_language(clauses: list[str]) -> str:
    """The language of the most marker words; "" when none or a tie at the top."""
    counts = dict.fromkeys(LANGUAGES, 0)
    for clause in clauses:
        for word in clause.split():
            for language, markers in _MARKERS.items():
                if word in markers:
                    counts[language] += 1
    best = max(counts.values())
    winners = [language for language, count in counts.items() if count == best]
    return winners[0] if best and len(winners) == 1 else ""


@dataclass(frozen=True)
class _Hit:
    verdict: Verdict
    language: str
    reason: str
    bare: bool = False  # a keyword on its own, not a phrase with an object
    call_me_matters: bool = False


def _rule_hits(clause: str, clause_language: str) -> Iterator[_Hit]:
    for rule in _RULES:
        for found in rule.pattern.finditer(clause):
            prefix, tail = clause[: found.start()], clause[found.end() :].strip()
            language = rule.language or clause_language
            words = found.group()
            if rule.noun_guard and prefix.split()[-1:] in (
                ["the"], ["an"], ["a"], ["your"], ["this"], ["that"], ["my"], ["le"], ["l"],
            ):  # fmt: skip
                yield _Hit(POSSIBLE, language, f"{rule.name} (as a noun): '{words}'")
                continue
            context = _prefix_context(prefix, language)
            if rule.frame == "start" and any(word not in _SOFT for word in prefix.split()):
                context = "statement"
            verdict = _FRAME_TABLE[rule.frame][context] or rule.verdict
            kind = _tail_kind(tail, objects=rule.objects)
            if kind == "restriction":
                verdict = _lower(verdict, rule.on_restriction)
                note = "restricted"
            elif kind == "other_object":
                verdict = _lower(verdict, rule.on_other_object or rule.on_other)
                note = "another object"
            elif kind == "other" and context in ("conditional", "question"):
                note = ""  # "if I opt out, will I ...": the words after are the main clause
            elif kind == "other":
                verdict = _lower(verdict, rule.on_other)
                note = "followed by other words"
            else:
                note = ""
            if context != "ok":
                note = ", ".join(filter(None, [context, note]))
            reason = f"{rule.name}: '{words}'" + (f" ({note})" if note else "")
            yield _Hit(verdict, language, reason, call_me_matters=rule.call_me_matters)


def _bare_hits(
    clause: str, following: str | None, clause_language: str, short: bool
) -> Iterator[_Hit]:
    found = _BARE.match(clause)
    if found and _tail_kind(found.group("rest").strip(), strict=True, objects=False) == "ok":
        keyword = found.group("keyword")
        verdict = CLEAR if _KEYWORD_CLEAR_RE.match(keyword) else POSSIBLE
        reason = f"keyword on its own: '{clause}'"
        if following is not None and not (
            _tail_kind(following, strict=True, objects=False) == "ok" or _SUPPORT.search(following)
        ):
            # "Stop, I'm laughing so hard": after a comma the words go on with the keyword
            verdict, reason = POSSIBLE, f"{reason}, then '{following}'"
        language = clause_language or _KEYWORD_LANGUAGE.get(keyword, "en")
        yield _Hit(verdict, language, reason, bare=True)
        return
    if not short:
        return
    for found in _PER_SE.finditer(clause):
        tokens = clause[: found.start()].split()
        tail = clause[found.end() :].strip()
        if not tokens or tokens[-1] in _NOUN_MARKERS:
            continue
        if _tail_kind(tail, strict=True, objects=False) != "ok":
            continue
        if _prefix_context(" ".join(tokens), clause_language or "en") not in ("ok", "question"):
            continue
        keyword = found.group()
        language = clause_language or _KEYWORD_LANGUAGE.get(keyword, "en")
        yield _Hit(POSSIBLE, language, f"keyword ending a short text: '{clause}'", bare=True)


def _lower(verdict: Verdict, ceiling: Verdict) -> Verdict:
    return verdict if _RANK[verdict] <= _RANK[ceiling] else ceiling


def _demote(verdict: Verdict) -> Verdict:
    return {CLEAR: POSSIBLE, POSSIBLE: NONE, NONE: NONE}[verdict]


def _adjust(hit: _Hit, message: str) -> _Hit:
    """The whole message's say: laughter, enthusiasm, a wish to keep the texts, a call-me."""
    steps: list[tuple[Callable[[Verdict], Verdict], str]] = []
    if _LAUGHTER.search(message):
        steps.append(((_demote if hit.bare else _to_possible), "laughter"))
    if hit.bare and _ENTHUSIASM.search(message):
        steps.append((_to_possible, "enthusiasm"))
    if hit.bare and _SECOND_THOUGHTS.search(message):
        steps.append((_to_possible, "second thoughts"))
    if _WANTS_TEXTS.search(message):
        steps.append((_demote, "asks to keep texts"))
    if hit.call_me_matters and _CALL_ME.search(message):
        steps.append((_to_possible, "asks for calls instead"))
    verdict = hit.verdict
    notes = []
    for step, note in steps:
        lowered = step(verdict)
        if lowered != verdict:
            notes.append(note)
            verdict = lowered
    if not notes:
        return hit
    reason = f"{hit.reason}; {', '.join(notes)} -> {verdict}"
    return _Hit(verdict, hit.language, reason, hit.bare, hit.call_me_matters)


def _to_possible(verdict: Verdict) -> Verdict:
    return _lower(verdict, POSSIBLE)


def classify(body: str) -> Revocation:
    """Whether `body` revokes consent: "clear", "possible" or "none", its language and why."""
    split = _clauses(body)
    clauses = [clause for clause, _ in split]
    language = detect_language(clauses)
    message = " ".join(clauses)
    short = len(message.split()) <= SHORT_TEXT_WORDS
    best: _Hit | None = None
    for i, (clause, soft) in enumerate(split):
        following = split[i + 1][0] if soft and i + 1 < len(split) else None
        bare = _bare_hits(clause, following, language, short)
        for hit in (*_rule_hits(clause, language), *bare):
            hit = _adjust(hit, message)
            if best is None or _RANK[hit.verdict] > _RANK[best.verdict]:
                best = hit
    if best is None or best.verdict == NONE:
        reason = best.reason if best else "no revocation phrase"
        return Revocation(NONE, (best.language if best else "") or language, reason)
    return Revocation(best.verdict, best.language, best.reason)
