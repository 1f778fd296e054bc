"""Custom fields of contacts: their names (usable as merge fields: `{city}`) and values. Pure."""

import re

# A name usable in a merge field: lower-case letters, digits and underscores, a letter first.
FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
MAX_FIELDS = 50
MAX_VALUE_LENGTH = 500
# Built from the contact's own columns: never custom field names.
RESERVED = frozenset({"name", "first_name", "last_name", "phone", "tags"})


def normalize_field_name(raw: str) -> str:
    """ "City " -> "city", "Zip code" -> "zip_code"; ValueError when no usable name remains or
    it names one of the contact's own columns."""
    name = re.sub(r"[^a-z0-9_]+", "_", str(raw).strip().lower()).strip("_")
    if not FIELD_NAME.fullmatch(name):
        raise ValueError(
            f"{raw!r} cannot be a field name: letters, digits and _, starting with a letter"
        )
    if name in RESERVED:
        raise ValueError(f"{name!r} is a contact column, not a custom field")
    return name


def clean_fields(raw: dict) -> dict[str, str]:
    """Custom fields as stored: normalised names, text values (None and "" dropped)."""
    if not isinstance(raw, dict):
        raise ValueError("custom fields are an object of names and text values")
    if len(raw) > MAX_FIELDS:
        raise ValueError(f"{MAX_FIELDS} custom fields at most")
    cleaned: dict[str, str] = {}
    for key, value in raw.items():
        if value is None or value == "":
            continue
        if isinstance(value, bool | dict | list):
            raise ValueError(f"field {key!r}: a text value is needed")
        text = str(value).strip()
        if len(text) > MAX_VALUE_LENGTH:
            raise ValueError(f"field {key!r}: {MAX_VALUE_LENGTH} characters at most")
        if "\x00" in text:
            raise ValueError(f"field {key!r}: a NUL character is not text")
        if text:
            cleaned[normalize_field_name(key)] = text
    return cleaned
