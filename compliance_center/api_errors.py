"""The edge of the error vocabulary: which HTTP status each code answers, and the API's exception
handler. Every API error is JSON with a stable `code` and a human `detail` (plus `fields` for a
form's errors, and any public facts a `DomainError` carries)."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError, ErrorCode

HTTP_STATUS: dict[ErrorCode, int] = {
    ErrorCode.INVALID: 400,
    ErrorCode.INVALID_CHOICE: 400,
    ErrorCode.MAX_LENGTH: 400,
    ErrorCode.MIN_LENGTH: 400,
    ErrorCode.MAX_VALUE: 400,
    ErrorCode.MIN_VALUE: 400,
    ErrorCode.INVALID_NUMBER: 400,
    ErrorCode.INVALID_BODY: 400,
    ErrorCode.BODY_TOO_LONG: 400,
    ErrorCode.INVALID_KEYWORD: 400,
    ErrorCode.REASON_REQUIRED: 400,
    ErrorCode.PARSE_ERROR: 400,
    ErrorCode.URL_NOT_ALLOWED: 400,
    ErrorCode.INVALID_TIME_ZONE: 400,
    ErrorCode.INVALID_ACCOUNT_SID: 400,
    ErrorCode.INVALID_PASSWORD: 400,
    ErrorCode.UNKNOWN_SENDER_NUMBER: 400,
    ErrorCode.UNKNOWN_NUMBER: 400,
    ErrorCode.KEYWORD_EXISTS: 400,
    ErrorCode.KEYWORD_LIMIT_REACHED: 400,
    ErrorCode.NOT_OPTED_OUT: 400,
    ErrorCode.OVERRIDE_EXISTS: 400,
    ErrorCode.INVALID_LANGUAGE: 400,
    ErrorCode.INVALID_COUNTRY: 400,
    ErrorCode.ALREADY_OPTED_OUT: 409,
    ErrorCode.REVIEW_RESOLVED: 409,
    ErrorCode.EMPTY_AUDIENCE: 400,
    ErrorCode.UNKNOWN_MERGE_FIELD: 400,
    ErrorCode.INVALID_FILE: 400,
    ErrorCode.INVALID_TRANSITION: 409,
    ErrorCode.NOT_AUTHENTICATED: 401,
    ErrorCode.AUTHENTICATION_FAILED: 401,
    ErrorCode.PERMISSION_DENIED: 403,
    ErrorCode.INVITATION_WRONG_EMAIL: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.METHOD_NOT_ALLOWED: 405,
    ErrorCode.NOT_ACCEPTABLE: 406,
    ErrorCode.NUMBER_TAKEN: 409,
    ErrorCode.CONTACT_EXISTS: 409,
    ErrorCode.NUMBER_IN_USE: 409,
    ErrorCode.EMAIL_TAKEN: 409,
    ErrorCode.ALREADY_MEMBER: 409,
    ErrorCode.INVITATION_PENDING: 409,
    ErrorCode.LAST_ADMIN: 409,
    ErrorCode.INVITATION_EXPIRED: 410,
    ErrorCode.INVITATION_USED: 410,
    ErrorCode.INVITATION_REVOKED: 410,
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: 415,
    ErrorCode.RECIPIENT_OPTED_OUT: 422,
    ErrorCode.QUIET_HOURS: 422,
    ErrorCode.CONTENT_BLOCKED: 422,
    ErrorCode.CONSENT_REQUIRED: 422,
    ErrorCode.CONSENT_PENDING: 422,
    ErrorCode.THROTTLED: 429,
    ErrorCode.ERROR: 500,
}


def http_status(code: ErrorCode | str) -> int:
    """The status a code answers with, at the API and in the pages alike."""
    try:
        return HTTP_STATUS[ErrorCode(code)]
    except ValueError:
        return 400


# The code an HTTP error status reads as when no more specific code is known (errors Django
# answers by itself under /api/, e.g. an unknown path).
_STATUS_CODES: dict[int, ErrorCode] = {
    400: ErrorCode.INVALID,
    401: ErrorCode.NOT_AUTHENTICATED,
    403: ErrorCode.PERMISSION_DENIED,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    406: ErrorCode.NOT_ACCEPTABLE,
    415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    429: ErrorCode.THROTTLED,
}


def code_for_status(status_code: int) -> ErrorCode:
    if status_code in _STATUS_CODES:
        return _STATUS_CODES[status_code]
    return ErrorCode.ERROR if status_code >= 500 else ErrorCode.INVALID


def error_response(code: ErrorCode, detail: str, *, status: int | None = None) -> JsonResponse:
    """The API's error shape outside DRF (middleware): `{"code": …, "detail": …}`."""
    return JsonResponse(
        {"code": code.value, "detail": detail},
        status=status if status is not None else http_status(code),
    )


def _first_code(errors: Any) -> str:
    if isinstance(errors, dict):
        for value in errors.values():
            return _first_code(value)
    if isinstance(errors, list) and errors:
        return _first_code(errors[0])
    return getattr(errors, "code", ErrorCode.INVALID) or ErrorCode.INVALID


def _first_message(errors: Any) -> str:
    if isinstance(errors, dict):
        for key, value in errors.items():
            message = _first_message(value)
            return message if key == "non_field_errors" else f"{key}: {message}"
    if isinstance(errors, list) and errors:
        return _first_message(errors[0])
    return str(errors)


def _public_code(code: str) -> str:
    """A DRF field code that is not in the vocabulary (required, blank, null…) reads as
    `invalid`."""
    return code if code in ErrorCode._value2member_map_ else ErrorCode.INVALID


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DomainError):
        body: dict[str, Any] = {"code": exc.code.value, "detail": exc.detail, **exc.extra}
        if exc.field:
            body["fields"] = {exc.field: [exc.detail]}
        return Response(body, status=http_status(exc.code))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "code": _public_code(_first_code(exc.detail)),
            "detail": _first_message(exc.detail),
            "fields": exc.detail if isinstance(exc.detail, dict) else {},
        }
        response.status_code = status.HTTP_400_BAD_REQUEST
        return response
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else ErrorCode.ERROR.value
    elif isinstance(exc, Http404):  # get_object_or_404: DRF answers 404, with our code
        code = ErrorCode.NOT_FOUND.value
    elif isinstance(exc, PermissionDenied):
        code = ErrorCode.PERMISSION_DENIED.value
    else:
        code = code_for_status(response.status_code).value
    response.data = {"code": code, "detail": str(getattr(exc, "detail", exc))}
    return response
