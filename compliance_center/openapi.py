"""The OpenAPI schema tells the truth about errors: every operation documents the error answers
it really gives, in the one error shape (`Error`: `code`, `detail`, optional `fields`).

Each operation gets, grouped by HTTP status (`api_errors.HTTP_STATUS`):
- 400 `invalid` (any query string with a NUL, any invalid input) and 401 `not_authenticated` /
  `authentication_failed`;
- with a request body: 400 `parse_error` and the field codes its serializer can raise
  (`max_length`, `invalid_choice`, …), 415 `unsupported_media_type`;
- with a path parameter: 404 `not_found`;
- the codes the view declares for that method in `api_errors = {"POST": (ErrorCode…, …)}`
  (e.g. 409 `number_taken`, 422 `recipient_opted_out`).

Descriptions come from the view's own docstrings only, never from a mixin it inherits.
"""

import inspect
from collections.abc import Iterable
from typing import Any

from drf_spectacular import openapi
from drf_spectacular.plumbing import force_instance
from rest_framework import serializers

from .api_errors import http_status
from .errors import ErrorCode

BODY_METHODS = {"POST", "PUT", "PATCH"}


class ErrorSerializer(serializers.Serializer):
    """Every API error: a stable `code`, a sentence for people, and, for input errors, the
    messages per input field. Some refusals add public facts of their own."""

    code = serializers.CharField(help_text="Stable error code, e.g. `invalid_number`.")
    detail = serializers.CharField(help_text="What went wrong, for people.")

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        # "fields" is a Serializer attribute: declared here, as SendSerializer does for "from".
        fields["fields"] = serializers.DictField(
            child=serializers.JSONField(),
            required=False,
            help_text="Input errors: the messages for each field, by field name.",
        )
        return fields


def _field_codes(serializer: Any) -> set[ErrorCode]:
    """The vocabulary codes a request serializer's own fields can raise."""
    instance = force_instance(serializer)
    if not isinstance(instance, serializers.Serializer):
        return set()
    codes: set[ErrorCode] = set()
    for field in instance.fields.values():
        if field.read_only:
            continue
        if getattr(field, "max_length", None) is not None:
            codes.add(ErrorCode.MAX_LENGTH)
        if getattr(field, "min_length", None) is not None:
            codes.add(ErrorCode.MIN_LENGTH)
        if getattr(field, "max_value", None) is not None:
            codes.add(ErrorCode.MAX_VALUE)
        if getattr(field, "min_value", None) is not None:
            codes.add(ErrorCode.MIN_VALUE)
        if isinstance(field, serializers.ChoiceField):
            codes.add(ErrorCode.INVALID_CHOICE)
    return codes


def by_status(codes: Iterable[ErrorCode]) -> dict[int, list[ErrorCode]]:
    """Error codes grouped by the HTTP status they answer with, each group in a stable order."""
    grouped: dict[int, list[ErrorCode]] = {}
    for code in sorted(set(codes), key=lambda c: c.value):
        grouped.setdefault(http_status(code), []).append(code)
    return dict(sorted(grouped.items()))


class AutoSchema(openapi.AutoSchema):
    def error_codes(self, path: str, method: str, has_body: bool) -> set[ErrorCode]:
        codes = {ErrorCode.INVALID, ErrorCode.NOT_AUTHENTICATED, ErrorCode.AUTHENTICATION_FAILED}
        if has_body:
            codes |= {ErrorCode.PARSE_ERROR, ErrorCode.UNSUPPORTED_MEDIA_TYPE}
            codes |= _field_codes(self.get_request_serializer())
        if "{" in path:
            codes.add(ErrorCode.NOT_FOUND)
        declared = getattr(self.view, "api_errors", {})
        codes.update(declared.get(method, ()))
        return codes

    def get_operation(
        self, path: str, path_regex: str, path_prefix: str, method: str, registry: Any
    ) -> Any:
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        component = self.resolve_serializer(ErrorSerializer, "response")
        has_body = method in BODY_METHODS and "requestBody" in operation
        for status, codes in by_status(self.error_codes(path, method, has_body)).items():
            operation["responses"][str(status)] = {
                "content": {"application/json": {"schema": component.ref}},
                "description": "Error codes: " + ", ".join(f"`{c.value}`" for c in codes) + ".",
            }
        return operation

    def get_description(self) -> str:  # type: ignore[override]  # drf-spectacular's signature
        """The handler's docstring, else the view class's own: a docstring a view inherits (the
        tenancy mixin's, DRF's) is not about this endpoint."""
        view_class = type(self.view)
        handler = view_class.__dict__.get(self.method.lower())
        doc = getattr(handler, "__doc__", None) or view_class.__dict__.get("__doc__")
        return inspect.cleandoc(doc) if doc else ""
