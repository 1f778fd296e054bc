"""Agent inbox pages: conversation list, thread, composer, new conversation, manual opt-out.

Views parse input, call a selector or a service, and render. Live parts (the list, the thread)
are htmx fragments polled every two seconds; a poll answers 204 when nothing changed, so the page
does not flicker and a scrolled thread stays where the agent left it.
"""

import hashlib
import re
from urllib.parse import urlencode

from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_POST

from compliance_center.api_errors import http_status
from compliance_center.errors import DomainError
from optout.models import RevocationReview
from workspaces.permissions import member_required
from workspaces.tenancy import get_for_workspace_or_404

from . import selectors
from .forms import AgentOptOutForm, ComposeForm, InboxFilterForm, NewConversationForm
from .models import Conversation, MessageSource
from .services.conversations import conversation_mark_read, conversation_opt_out
from .services.outbound import message_send
from .services.reviews import review_decide

# ---------------------------------------------------------------- helpers


def _filters(request: HttpRequest) -> dict:
    form = InboxFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    return {
        "q": data.get("q") or "",
        "number": data.get("number") or None,
        "state": data.get("state") or "",
    }


def _list_html(request: HttpRequest, current_id: int | None) -> tuple[SafeString, str]:
    filters = _filters(request)
    rows = selectors.conversation_list(
        workspace=request.workspace,
        number_id=filters["number"],
        q=filters["q"],
        state=filters["state"],
    )
    html = render_to_string(
        "messaging/_conversation_list.html",
        {
            "rows": rows,
            "current_id": current_id,
            "filtering": any(filters.values()),
            "list_qs": urlencode({k: v for k, v in filters.items() if v}),
        },
        request=request,
    )
    return _versioned(html, {})


_CSRF_VALUE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*"')


def _versioned(html: str, extra: dict) -> tuple[SafeString, str]:
    """Appends the fragment's version (a hash of its HTML) as a hidden input the poll sends back.
    The CSRF tokens of its forms (a review's decision) are masked anew on every render: they are
    left out of the hash, or the fragment would be swapped — and a reason being typed lost —
    every two seconds."""
    version = hashlib.sha1(_CSRF_VALUE.sub(r"\1", html).encode()).hexdigest()[:16]
    inputs = [format_html('<input type="hidden" name="v" value="{}">', version)]
    inputs += [
        format_html('<input type="hidden" name="{}" value="{}">', k, v) for k, v in extra.items()
    ]
    return mark_safe(html + "".join(inputs)), version  # built from escaped parts


def _live_html(request: HttpRequest, conversation: Conversation, banner) -> tuple[SafeString, str]:
    html = render_to_string(
        "messaging/_thread_live.html",
        {
            "conversation": conversation,
            "items": selectors.thread_items(conversation),
            "banner": banner,
        },
        request=request,
    )
    return _versioned(html, {"blocked": "1" if banner else "0"})


def _composer_context(
    request: HttpRequest,
    conversation: Conversation,
    banner,
    *,
    body: str = "",
    error: str = "",
    autofocus: bool = False,
    oob: bool = False,
) -> dict:
    return {
        "conversation": conversation,
        "banner": banner,
        "body": body,
        "error": error,
        "autofocus": autofocus,
        "oob": oob,
        "preview": selectors.composer_preview(
            workspace=request.workspace, conversation=conversation, body=body
        ),
    }


def _consent_state_html(request: HttpRequest, conversation: Conversation, *, oob=False) -> str:
    return render_to_string(
        "messaging/_consent_state.html",
        {
            "conversation": conversation,
            "consent": selectors.consent_of(conversation),
            "oob": oob,
        },
        request=request,
    )


def _page(request: HttpRequest, pane: str, status: int = 200, current_id=None, **context):
    list_html, _ = _list_html(request, current_id)
    return render(
        request,
        "messaging/inbox.html",
        {
            "nav": "inbox",
            "pane": pane,
            "list_html": list_html,
            "filter_form": InboxFilterForm(request.GET),
            "number_options": [
                (n.pk, selectors.number_label(n))
                for n in selectors.phone_numbers_of(request.workspace)
            ],
            "filters": _filters(request),
            "current_id": current_id,
            **context,
        },
        status=status,
    )


def _thread_page(request, conversation, *, status=200, body="", error="", opt_out_form=None):
    banner = selectors.banner_for(conversation)
    live_html, _ = _live_html(request, conversation, banner)
    return _page(
        request,
        "thread",
        status=status,
        current_id=conversation.id,
        conversation=conversation,
        contact_label=selectors.contact_label(conversation.contact),
        number_label=selectors.number_label(conversation.phone_number),
        consent_state_html=mark_safe(_consent_state_html(request, conversation)),  # rendered
        live_html=live_html,
        banner=banner,
        opt_out_form=opt_out_form or AgentOptOutForm(),
        composer=_composer_context(
            request, conversation, banner, body=body, error=error, autofocus=not error
        ),
    )


# ---------------------------------------------------------------- pages


@require_GET
@member_required
def inbox(request):
    return _page(request, "empty")


@require_GET
@member_required
def conversation_list(request):
    """Polled fragment: the list under the current filters; 204 when nothing changed."""
    try:
        current_id = int(request.GET.get("current") or 0) or None
    except ValueError:
        current_id = None
    html, version = _list_html(request, current_id)
    if request.GET.get("v") == version:
        return HttpResponse(status=204)
    return HttpResponse(html)


@require_GET
@member_required
def thread(request, pk: int):
    conversation = selectors.conversation_get(workspace=request.workspace, pk=pk)
    conversation_mark_read(conversation=conversation)
    return _thread_page(request, conversation)


@require_GET
@member_required
def thread_live(request, pk: int):
    """Polled fragment: banner and messages. When the block state changed since the page was
    drawn, the composer is swapped too (enabled or disabled with the reason)."""
    conversation = selectors.conversation_get(workspace=request.workspace, pk=pk)
    conversation_mark_read(conversation=conversation)
    banner = selectors.banner_for(conversation)
    html, version = _live_html(request, conversation, banner)
    if request.GET.get("v") == version:
        return HttpResponse(status=204)
    if request.GET.get("blocked") != ("1" if banner else "0"):
        # The agent's draft stays in the page: app.js carries it into the swapped composer (kept,
        # disabled, after a STOP; editable again after a START), so it never travels in a URL.
        html += render_to_string(
            "messaging/_composer.html",
            {"c": _composer_context(request, conversation, banner, oob=True)},
            request=request,
        )
    html += _consent_state_html(request, conversation, oob=True)
    return HttpResponse(html)


@require_POST
@member_required
def send(request, pk: int):
    """Sends from the thread. A blocked contact is refused here whatever the page showed."""
    conversation = selectors.conversation_get(workspace=request.workspace, pk=pk)
    form = ComposeForm(request.POST)
    body = request.POST.get("body", "")
    error, status = "", 200
    if not form.is_valid():
        error, status = form.errors.get("body", ["Invalid message."])[0], 400
    else:
        try:
            message_send(
                workspace=request.workspace,
                from_number=conversation.phone_number.number,
                to=conversation.contact.phone,
                body=form.cleaned_data["body"],
                source=MessageSource.INBOX,
                sent_by=request.user,
            )
        except DomainError as exc:
            error, status = exc.detail, http_status(exc.code)
        else:
            body = ""
    if not request.htmx:
        if error:
            return _thread_page(request, conversation, status=status, body=body, error=error)
        return redirect("inbox-thread", pk=conversation.pk)
    # htmx swaps 2xx answers only: the refusal comes back as a 200 fragment that shows it.
    banner = selectors.banner_for(conversation)
    live_html, _ = _live_html(request, conversation, banner)
    composer = render_to_string(
        "messaging/_composer.html",
        {
            "c": _composer_context(
                request, conversation, banner, body=body, error=error, autofocus=True
            )
        },
        request=request,
    )
    oob = format_html('<div id="thread-live" hx-swap-oob="innerHTML">{}</div>', live_html)
    response = HttpResponse(composer + oob)
    if error:
        response["X-Send-Refused"] = "1"
    return response


@require_POST
@member_required
def preview(request, pk: int):
    """Character and segment count of the final text (body + signature), counted server-side."""
    conversation = selectors.conversation_get(workspace=request.workspace, pk=pk)
    info = selectors.composer_preview(
        workspace=request.workspace, conversation=conversation, body=request.POST.get("body", "")
    )
    return render(request, "messaging/_counter.html", {"preview": info})


@require_POST
@member_required
def opt_out(request, pk: int):
    """An agent opts the contact out by hand, with a reason; it lands in the consent ledger."""
    conversation = selectors.conversation_get(workspace=request.workspace, pk=pk)
    form = AgentOptOutForm(request.POST)
    if not form.is_valid():
        return _thread_page(request, conversation, status=400, opt_out_form=form)
    if selectors.banner_for(conversation) is not None:
        flash.info(request, "This contact is already opted out of this number.")
    else:
        conversation_opt_out(
            conversation=conversation, actor=request.user, reason=form.cleaned_data["reason"]
        )
        flash.success(request, f"{selectors.contact_label(conversation.contact)} is now opted out.")
    return redirect("inbox-thread", pk=conversation.pk)


@member_required
def new_conversation(request):
    """Pick the sending number, type the contact's number in any format, write, send."""
    form = NewConversationForm(request.POST or None, workspace=request.workspace)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            number = form.cleaned_data["from_number"]
            try:
                message = message_send(
                    workspace=request.workspace,
                    from_number=number.number,
                    to=form.cleaned_data["to"],
                    body=form.cleaned_data["body"],
                    source=MessageSource.INBOX,
                    sent_by=request.user,
                )
            except DomainError as exc:
                form.add_error("body" if exc.field == "body" else "to", exc.detail)
                status = http_status(exc.code)
            else:
                return redirect("inbox-thread", pk=message.conversation_id)
        else:
            status = 400
    body = form.data.get("body", "") if form.is_bound else ""
    return _page(
        request,
        "new",
        status=status,
        new_form=form,
        **_new_conversation_preview(request, form, body),
    )


def _new_conversation_preview(request, form, body: str) -> dict:
    """The composer's state for the number being typed: who it is, whether they are opted out
    or blocked, their consent, their sending window, the count."""
    data = form.data if form.is_bound else {}
    number = next(
        (
            n
            for n in selectors.phone_numbers_of(request.workspace)
            if str(n.pk) == str(data.get("from_number", ""))
        ),
        None,
    )
    if number is None and not form.is_bound:
        number = next(iter(selectors.phone_numbers_of(request.workspace)), None)
    recipient = selectors.recipient_of(data.get("to", ""))
    return {
        "preview": selectors.composer_preview(
            workspace=request.workspace,
            conversation=None,
            body=body,
            sender=number,
            recipient=recipient,
        ),
        "recipient": recipient,
        "existing": selectors.conversation_for(
            workspace=request.workspace, number=number, to=recipient
        )
        if recipient
        else None,
        "to_typed": (data.get("to") or "").strip(),
    }


@require_POST
@member_required
def new_conversation_preview(request):
    """htmx, on every change of the form: the recipient's state (out of band, next to To) and
    the composer's state and count."""
    form = NewConversationForm(request.POST, workspace=request.workspace)
    context = _new_conversation_preview(request, form, request.POST.get("body", ""))
    counter = render_to_string("messaging/_counter.html", context, request=request)
    state = render_to_string(
        "messaging/_recipient_state.html", {**context, "oob": True}, request=request
    )
    return HttpResponse(counter + state)


@require_POST
@member_required
def review(request, pk: int, review_id: int):
    """A person decides, from the thread, whether a text revoked consent (with a reason)."""
    conversation = selectors.conversation_get(workspace=request.workspace, pk=pk)
    found = get_for_workspace_or_404(
        RevocationReview.objects.filter(
            contact=conversation.contact, phone_number=conversation.phone_number
        ),
        request.workspace,
        pk=review_id,
    )
    try:
        review_decide(
            review=found,
            decision=request.POST.get("decision", ""),
            reason=request.POST.get("reason", ""),
            actor=request.user,
        )
    except DomainError as exc:
        flash.error(request, exc.detail)
    else:
        flash.success(
            request,
            "Opted out and confirmed to the contact."
            if request.POST.get("decision") == "opt_out"
            else "Recorded: not a revocation.",
        )
    return redirect("inbox-thread", pk=conversation.pk)
