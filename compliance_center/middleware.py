"""Two guards at the edge of every request, before any view runs.

- `RejectNulInQueryMiddleware`: a query string with a NUL character (`%00`) answers 400 — the
  API's JSON error (`invalid`), a 400 page elsewhere. PostgreSQL refuses NUL in text, so such a
  value reaching a filter was a 500 (or a CSV download cut short); nothing in this product needs
  a NUL, so it is refused in one place rather than in every view.
- `ApiJsonErrorsMiddleware`: under `/api/`, an error answered by Django rather than by the API
  (an unknown path's 404, above all) becomes the API's JSON error shape, `{"code", "detail"}`.
"""

from collections.abc import Callable
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.views.defaults import bad_request
from rest_framework.response import Response

from .api_errors import code_for_status, error_response
from .errors import ErrorCode

API_PREFIX = "/api/"
NUL_DETAIL = "The query string contains a NUL character (%00)."

GetResponse = Callable[[HttpRequest], HttpResponseBase]


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIX)


def query_has_nul(request: HttpRequest) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in request.GET.lists()
    )


class RejectNulInQueryMiddleware:
    def __init__(self, get_response: GetResponse):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if query_has_nul(request):
            if is_api_path(request.path):
                return error_response(ErrorCode.INVALID, NUL_DETAIL, status=400)
            return bad_request(request, SuspiciousOperation(NUL_DETAIL))
        return self.get_response(request)


DETAILS = {
    404: "There is no such API endpoint.",
    405: "This method is not allowed on this API endpoint.",
}


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error."


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response: GetResponse):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not is_api_path(request.path) or response.status_code < 400:
            return response
        if isinstance(response, Response):  # the API's own answer, already in its shape
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        if response.status_code >= 500 and settings.DEBUG:
            return response  # keep Django's debug page for developers
        status = response.status_code
        detail = DETAILS.get(status) or _phrase(status)
        converted: HttpResponse = error_response(code_for_status(status), detail, status=status)
        return converted
