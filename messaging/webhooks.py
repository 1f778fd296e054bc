"""Twilio webhooks: inbound SMS and delivery status callbacks. Validate, store, queue, answer."""

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from workspaces.selectors import phone_number_by_e164

from . import services
from .models import Message
from .phone import InvalidNumber, to_e164

logger = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
MAX_BODY = 1600


def _plain(status: int, text: str) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


def _params(request: HttpRequest) -> dict[str, str]:
    # Twilio sends each parameter once; the validator signs over that flat form.
    return {key: request.POST.get(key, "") for key in request.POST}


def _signature_ok(request: HttpRequest, params: dict, auth_token: str) -> bool:
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature or not auth_token:
        return False
    url = settings.PUBLIC_BASE_URL + request.get_full_path()
    return RequestValidator(auth_token).validate(url, params, signature)


def _owning_number(raw: str):
    try:
        return phone_number_by_e164(to_e164(raw))
    except InvalidNumber:
        return None


@csrf_exempt
@require_POST
def inbound_sms(request: HttpRequest) -> HttpResponse:
    params = _params(request)
    missing = [k for k in ("MessageSid", "From", "To") if not params.get(k, "").strip()]
    if missing or "Body" not in params:
        return _plain(400, f"missing parameters: {', '.join(missing or ['Body'])}")
    if len(params["Body"]) > MAX_BODY or len(params["MessageSid"]) > 64:
        return _plain(400, "Body longer than 1600 characters or MessageSid too long")
    number = _owning_number(params["To"])
    if number is None:
        return _plain(404, "To is not a number of any workspace")
    if not _signature_ok(request, params, number.workspace.twilio_auth_token):
        return _plain(403, "invalid X-Twilio-Signature")
    services.inbound_receive(phone_number=number, params=params)
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")


@csrf_exempt
@require_POST
def status_callback(request: HttpRequest) -> HttpResponse:
    params = _params(request)
    missing = [k for k in ("MessageSid", "MessageStatus", "From") if not params.get(k, "").strip()]
    if missing:
        return _plain(400, f"missing parameters: {', '.join(missing)}")
    number = _owning_number(params["From"])
    if number is None:
        return _plain(404, "From is not a number of any workspace")
    if not _signature_ok(request, params, number.workspace.twilio_auth_token):
        return _plain(403, "invalid X-Twilio-Signature")
    message = Message.objects.filter(
        provider_sid=params["MessageSid"], workspace_id=number.workspace_id
    ).first()
    if message is None:
        return _plain(404, "unknown MessageSid")
    services.status_callback_apply(
        message=message,
        status=params["MessageStatus"].strip().lower(),
        error_code=params.get("ErrorCode", "").strip(),
    )
    return HttpResponse(status=204)
