"""The API's JSON parser: DRF's, refusing with 400 `parse_error` what it would otherwise let
through to crash later.

- A body nested deeper than `MAX_DEPTH` arrays or objects: `json` itself raises RecursionError
  (a 500) somewhere past a few thousand levels, and no request of this API nests more than a few.
- A string with an unpaired surrogate (`"\\udcff"`): valid JSON grammar, but not Unicode text
  (RFC 7493, I-JSON), and the database driver fails to encode it.
"""

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32


def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def json_problem(data: Any) -> str | None:
    """Why a parsed JSON document is refused, or None. Iterative: no recursion on deep input."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth >= MAX_DEPTH:
                return f"nested deeper than {MAX_DEPTH} levels."
            if isinstance(value, dict):
                for key, item in value.items():
                    if not _is_text(key):
                        return "a key is not valid Unicode text (unpaired surrogate)."
                    stack.append((item, depth + 1))
            else:
                stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str) and not _is_text(value):
            return "a string is not valid Unicode text (unpaired surrogate)."
    return None


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_DEPTH} levels.") from exc
        problem = json_problem(data)
        if problem:
            raise ParseError(f"JSON parse error - {problem}")
        return data
