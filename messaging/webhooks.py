"""Twilio webhooks: inbound SMS and delivery status callbacks. Validate, store, queue, answer."""

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from compliance_center.phone import InvalidNumber, to_e164
from compliance_center.segments import MAX_BODY_LENGTH
from workspaces.selectors import NumberOwner, number_owner

from .models import InboundMessage, Message
from .services.delivery import status_callback_apply
from .services.inbound import inbound_receive

logger = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
# Twilio's SIDs are 34 characters; a sender is E.164, a short code, an alphanumeric id or a
# channel address ("whatsapp:+14155550123"): every one is kept as sent, up to the column.
MAX_SID_LENGTH = InboundMessage._meta.get_field("message_sid").max_length
MAX_SENDER_LENGTH = InboundMessage._meta.get_field("from_number").max_length


def _plain(status: int, text: str) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


def _params(request: HttpRequest) -> dict[str, str]:
    # Twilio sends each parameter once; the validator signs over that flat form.
    return {key: request.POST.get(key, "") for key in request.POST}


def _storable(params: dict[str, str]) -> dict[str, str]:
    """The parameters as they can be stored: PostgreSQL text holds no NUL, and a NUL nobody sees
    must not cost an opt-out ("STOP\x00" is a STOP). The signature was checked on the original."""
    return {key: value.replace("\x00", "") for key, value in params.items()}


def _signature_ok(request: HttpRequest, params: dict, auth_token: str) -> bool:
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature or not auth_token:
        return False
    url = settings.PUBLIC_BASE_URL + request.get_full_path()
    return RequestValidator(auth_token).validate(url, params, signature)


def _owner(request: HttpRequest, params: dict, raw_number: str) -> NumberOwner | HttpResponse:
    """The workspace number a Twilio request is about, once its signature is checked; or the
    404/403 answer. The owner comes from a per-process cache; a signature that fails against
    the cached token is checked once more against the database (the token may be new)."""
    try:
        number = to_e164(raw_number)
    except InvalidNumber:
        number = None
    owner = number and number_owner(number)
    if owner is None:
        return _plain(404, f"{raw_number!r} is not a number of any workspace")
    if _signature_ok(request, params, owner.twilio_auth_token):
        return owner
    owner = number_owner(number, fresh=True)
    if owner is not None and _signature_ok(request, params, owner.twilio_auth_token):
        return owner
    return _plain(403, "invalid X-Twilio-Signature")


@csrf_exempt
@require_POST
def inbound_sms(request: HttpRequest) -> HttpResponse:
    params = _params(request)
    missing = [k for k in ("MessageSid", "From", "To") if not params.get(k, "").strip()]
    if missing or "Body" not in params:
        return _plain(400, f"missing parameters: {', '.join(missing or ['Body'])}")
    if len(params["Body"]) > MAX_BODY_LENGTH:
        return _plain(400, f"Body longer than {MAX_BODY_LENGTH} characters")
    if len(params["MessageSid"]) > MAX_SID_LENGTH or len(params["From"]) > MAX_SENDER_LENGTH:
        return _plain(
            400,
            f"MessageSid longer than {MAX_SID_LENGTH} or From longer than {MAX_SENDER_LENGTH} "
            "characters",
        )
    owner = _owner(request, params, params["To"])
    if isinstance(owner, HttpResponse):
        return owner
    inbound_receive(owner=owner, params=_storable(params))
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")


@csrf_exempt
@require_POST
def status_callback(request: HttpRequest) -> HttpResponse:
    params = _params(request)
    missing = [k for k in ("MessageSid", "MessageStatus", "From") if not params.get(k, "").strip()]
    if missing:
        return _plain(400, f"missing parameters: {', '.join(missing)}")
    owner = _owner(request, params, params["From"])
    if isinstance(owner, HttpResponse):
        return owner
    sid = params["MessageSid"]
    message = Message.objects.filter(provider_sid=sid, workspace_id=owner.workspace_id).first()
    ours = request.GET.get("m", "")
    if message is None and ours.isdigit():
        # Twilio called back before the send task stored the SID; our id is in the signed URL.
        message = Message.objects.filter(
            pk=int(ours), workspace_id=owner.workspace_id, provider_sid__isnull=True
        ).first()
    if message is None:
        return _plain(404, "unknown MessageSid")
    status_callback_apply(
        message=message,
        status=params["MessageStatus"].strip().lower(),
        error_code=params.get("ErrorCode", "").strip(),
        provider_sid=sid,
    )
    return HttpResponse(status=204)
