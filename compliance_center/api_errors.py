"""Every API error is JSON with a stable `code` and a human `detail` (plus `fields` if any)."""

from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class ApiError(exceptions.APIException):
    def __init__(self, code: str, detail: str, status_code: int = 400, **extra):
        super().__init__(detail=detail, code=code)
        self.status_code, self.code, self.extra = status_code, code, extra


def _first_code(errors) -> str:
    if isinstance(errors, dict):
        for value in errors.values():
            return _first_code(value)
    if isinstance(errors, list) and errors:
        return _first_code(errors[0])
    return getattr(errors, "code", "invalid") or "invalid"


def _first_message(errors) -> str:
    if isinstance(errors, dict):
        for key, value in errors.items():
            message = _first_message(value)
            return message if key == "non_field_errors" else f"{key}: {message}"
    if isinstance(errors, list) and errors:
        return _first_message(errors[0])
    return str(errors)


def exception_handler(exc, context):
    if isinstance(exc, ApiError):
        return Response(
            {"code": exc.code, "detail": str(exc.detail), **exc.extra}, status=exc.status_code
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        code = _first_code(exc.detail)
        code = "invalid" if code in ("invalid", "required", "null", "blank") else code
        response.data = {
            "code": code,
            "detail": _first_message(exc.detail),
            "fields": exc.detail if isinstance(exc.detail, dict) else {},
        }
        response.status_code = status.HTTP_400_BAD_REQUEST
        return response
    codes = exc.get_codes() if hasattr(exc, "get_codes") else "error"
    response.data = {
        "code": codes if isinstance(codes, str) else "error",
        "detail": str(getattr(exc, "detail", exc)),
    }
    return response
