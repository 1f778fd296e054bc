"""Merge fields of a broadcast's text. Pure: no database, no I/O.

`{first_name}` is replaced by the contact's value; `{first_name|there}` falls back to "there"
when the contact has none (without a fallback, an empty value leaves nothing). Built-in fields:
`first_name`, `last_name` (the contact's name split at its first space), `name`, `phone`; any
other name is a custom field of the contact (`{city}`). `{{` and `}}` write a literal brace.
A name is letters, digits and `_`, starting with a letter, case-insensitive.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

BUILTIN_FIELDS = ("first_name", "last_name", "name", "phone")
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")


class TemplateError(ValueError):
    """A text whose braces do not form merge fields."""


@dataclass(frozen=True)
class Field:
    name: str
    fallback: str | None  # None: no fallback given


@dataclass(frozen=True)
class Template:
    parts: tuple[str | Field, ...]

    @property
    def fields(self) -> tuple[Field, ...]:
        return tuple(p for p in self.parts if isinstance(p, Field))

    @property
    def names(self) -> set[str]:
        return {f.name for f in self.fields}

    @property
    def static_length(self) -> int:
        return sum(len(p) for p in self.parts if isinstance(p, str))


def parse(text: str) -> Template:
    """The text as literal parts and merge fields; TemplateError for a lone brace or a bad
    name ("{}", "{first name}", "a { b")."""
    parts: list[str | Field] = []
    literal: list[str] = []
    position = 0
    for match in _TOKEN.finditer(text):
        literal.append(text[position : match.start()])
        position = match.end()
        token = match.group(0)
        if token in ("{{", "}}"):
            literal.append(token[0])
            continue
        if match.group(1) is None:
            raise TemplateError(
                f"A lone “{token}” at character {match.start() + 1}: write {token * 2} for a "
                "brace, or {field} for a merge field."
            )
        inside = match.group(1)
        name, bar, fallback = inside.partition("|")
        name = name.strip().lower()
        if not _NAME.fullmatch(name):
            raise TemplateError(
                f"“{{{inside}}}” is not a merge field: a name of letters, digits and _ "
                "(e.g. {first_name} or {first_name|there})."
            )
        if literal:
            parts.append("".join(literal))
            literal = []
        parts.append(Field(name, fallback.strip() if bar else None))
    literal.append(text[position:])
    if "".join(literal):
        parts.append("".join(literal))
    return Template(tuple(parts))


def values_of(*, name: str, phone: str, fields: Mapping[str, str]) -> dict[str, str]:
    """The merge values of one contact: its custom fields, then the built-in ones."""
    first, _, last = " ".join(name.split()).partition(" ")
    return {
        **{str(k): str(v) for k, v in fields.items()},
        "first_name": first,
        "last_name": last,
        "name": " ".join(name.split()),
        "phone": phone,
    }


def render(template: Template, values: Mapping[str, str]) -> str:
    """The text for one contact."""
    out: list[str] = []
    for part in template.parts:
        if isinstance(part, str):
            out.append(part)
            continue
        value = (values.get(part.name) or "").strip()
        out.append(value or (part.fallback or ""))
    return "".join(out)


def longest(template: Template, longest_values: Mapping[str, int]) -> int:
    """The longest the text can be after merge, given each field's longest value."""
    total = template.static_length
    for field in template.fields:
        total += max(longest_values.get(field.name, 0), len(field.fallback or ""))
    return total
