"""SMS segment counting: GSM-7 (160 / 153 per part, extension characters count twice) or UCS-2
(70 / 67 per part, counted in UTF-16 code units). No I/O."""

from dataclasses import dataclass

# Twilio's limit on one message's body (10 segments); every input, preview and send uses it.
MAX_BODY_LENGTH = 1600

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")


@dataclass(frozen=True)
class SegmentInfo:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int
    per_segment: int  # capacity of one segment of this message
    remaining: int  # units left in the last segment


def count(text: str) -> SegmentInfo:
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
        units = sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
        encoding, single, multi = "GSM-7", 160, 153
    else:
        units = len(text.encode("utf-16-le")) // 2
        encoding, single, multi = "UCS-2", 70, 67
    if units <= single:
        segments, per = 1, single
    else:
        per = multi
        segments = -(-units // multi)
    return SegmentInfo(
        encoding=encoding,
        units=units,
        segments=segments,
        per_segment=per,
        remaining=segments * per - units,
    )
