"""Phone simulator (embedded mode only): play a contact's phone through the real webhook path.

A text typed here is posted to /webhooks/twilio/sms/ over HTTP, signed exactly as Twilio signs it,
so it meets the same validation, storage, keyword matching and replies as a carrier's webhook.
What the workspace sends back (simulator SMS backend) is read from the database and polled.
"""

import hashlib
import uuid

import requests
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST
from twilio.request_validator import RequestValidator

from compliance_center.phone import InvalidNumber, pretty, to_e164
from workspaces.permissions import member_required

from . import selectors
from .forms import SimulatorForm

WEBHOOK_TIMEOUT = 15


def _enabled(view):
    """Absent unless SIMULATOR_ENABLED (the URLs are not even routed in production)."""

    def wrapper(request, *args, **kwargs):
        if not settings.SIMULATOR_ENABLED:
            raise Http404("The phone simulator is off.")
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def webhook_post(
    *, request: HttpRequest, workspace, contact: str, number: str, body: str
) -> requests.Response:
    """POSTs an inbound SMS to our own Twilio webhook, signed with the workspace's auth token."""
    path = reverse("twilio-sms")
    params = {
        "MessageSid": "SM" + uuid.uuid4().hex,
        "AccountSid": workspace.twilio_account_sid,
        "From": contact,
        "To": number,
        "Body": body,
        "NumMedia": "0",
    }
    signature = RequestValidator(workspace.twilio_auth_token).compute_signature(
        settings.PUBLIC_BASE_URL + path, params
    )
    return requests.post(
        request.build_absolute_uri(path),
        data=params,
        headers={"X-Twilio-Signature": signature},
        timeout=WEBHOOK_TIMEOUT,
    )


def _numbers(request):
    return selectors.phone_numbers_of(request.workspace)


def _form(request, data=None, initial=None):
    return SimulatorForm(data, workspace=request.workspace, initial=initial)


@require_GET
@member_required
@_enabled
def phone(request):
    contacts = selectors.simulator_contacts(request.workspace)
    numbers = _numbers(request)
    initial = {
        "contact": request.GET.get("contact") or (pretty(contacts[0][0]) if contacts else ""),
        "number": request.GET.get("number") or (numbers[0].number if numbers else ""),
    }
    form = _form(request, initial=initial)
    screen, _ = _screen_html(request, initial["contact"], initial["number"])
    return render(
        request,
        "messaging/simulator.html",
        {
            "nav": "simulator",
            "form": form,
            "contacts": contacts,
            "has_numbers": bool(numbers),
            "screen_html": screen,
        },
    )


@require_POST
@member_required
@_enabled
def send(request):
    """The contact's text, through the very same path as Twilio's webhook."""
    form = _form(request, request.POST)
    error = ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            answer = webhook_post(
                request=request,
                workspace=request.workspace,
                contact=data["contact"],
                number=data["number"],
                body=data["body"],
            )
        except requests.RequestException as exc:
            error = f"Could not reach the webhook: {exc}"
        else:
            if answer.status_code != 200:
                error = f"The webhook answered {answer.status_code}: {answer.text[:200]}"
        if not error:
            form = _form(request, initial={"contact": data["contact"], "number": data["number"]})
    response = render(
        request, "messaging/_sim_form.html", {"form": form, "error": error, "focus": True}
    )
    if not error and not form.is_bound:
        response["HX-Trigger"] = "sim-sent"
    return response


def _screen_html(request, contact_raw: str, number: str):
    contact = ""
    try:
        contact = to_e164(contact_raw) if contact_raw else ""
    except InvalidNumber:
        contact = ""
    owned = next((n for n in _numbers(request) if n.number == number), None)
    valid_number = owned is not None
    messages = (
        selectors.phone_thread(workspace=request.workspace, contact_phone=contact, number=number)
        if contact and valid_number
        else []
    )
    html = render_to_string(
        "messaging/_phone_screen.html",
        {
            "contact": contact,
            "contact_raw": contact_raw,
            "contact_pretty": pretty(contact) if contact else "",
            "number": number if valid_number else "",
            "number_label": selectors.number_label(owned) if owned else "",
            "sim_messages": messages,
        },
        request=request,
    )
    version = hashlib.sha1(html.encode()).hexdigest()[:16]
    tag = format_html('<input type="hidden" name="v" value="{}">', version)
    return mark_safe(html + tag), version  # the template output is already escaped


@require_GET
@member_required
@_enabled
def screen(request):
    """Polled fragment: the simulated phone's thread with one workspace number."""
    html, version = _screen_html(
        request, request.GET.get("contact", "").strip(), request.GET.get("number", "")
    )
    if request.GET.get("v") == version:
        return HttpResponse(status=204)
    return HttpResponse(html)
