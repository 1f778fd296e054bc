"""Opt-out tab: scope, confirmation, signature (with its live preview), sending rules."""

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from workspaces.permissions import compliance_manager_required

from .. import replies, selectors, signature
from ..forms import (
    SAMPLE_MESSAGE,
    SCOPE_CHOICES,
    SCOPE_HELP,
    SIGNATURE_CHOICES,
    SIGNATURE_HELP,
    ConfirmationForm,
    ConsentForm,
    PreviewForm,
    ScopeForm,
    SendingRulesForm,
    SignatureForm,
)
from .common import render_tab, save_settings, saved_in

OPT_OUT_SECTIONS = {
    "scope": (ScopeForm, ["opt_out_scope"], "Opt-out scope saved."),
    "confirmation": (
        ConfirmationForm,
        ["opt_out_confirmation_enabled", "opt_out_confirmation_text"],
        "Opt-out confirmation saved.",
    ),
    "signature": (SignatureForm, ["signature_mode", "signature_text"], "Opt-out signature saved."),
    "consent": (
        ConsentForm,
        [
            "consent_required",
            "double_opt_in_enabled",
            "double_opt_in_text",
            "welcome_text",
            "double_opt_in_expiry_days",
        ],
        "Consent rules saved.",
    ),
    "sending": (
        SendingRulesForm,
        [
            "quiet_hours_enabled",
            "quiet_hours_start",
            "quiet_hours_end",
            "timezone",
            "state_rules_enabled",
            "reply_window_hours",
            "blocked_terms",
            "content_rules",
        ],
        "Sending rules saved.",
    ),
}


def _initial(current, fields: list[str]) -> dict:
    initial = {f: getattr(current, f) for f in fields}
    for category, action in (initial.pop("content_rules", None) or {}).items():
        initial[f"content_{category}"] = action
    return initial


def _opt_out_forms(current, bound_section: str | None = None, data=None) -> dict:
    forms = {}
    for section, (form_class, fields, _) in OPT_OUT_SECTIONS.items():
        kwargs = {"current_scope": current.opt_out_scope} if form_class is ScopeForm else {}
        if section == bound_section:
            forms[section] = form_class(data, **kwargs)
        else:
            forms[section] = form_class(initial=_initial(current, fields), **kwargs)
    return forms


def _signature_preview(mode: str, text: str, sample: str) -> dict:
    sample = sample if sample.strip() else SAMPLE_MESSAGE
    composed = signature.compose(body=sample, mode=mode or signature.OFF, signature=text)
    return {
        "mode": mode,
        "final": composed.final,
        "signed": composed.signed,
        "signature_text": text.strip(),
        "info": composed.info,
        "chars": composed.chars,
        "too_long": composed.too_long,
        "sample": sample,
    }


@compliance_manager_required
def opt_out(request):
    current = selectors.compliance_settings_for(request.workspace)
    section = request.POST.get("section") if request.method == "POST" else None
    if section is not None and section not in OPT_OUT_SECTIONS:
        return HttpResponse("Unknown section.", status=400)
    forms = _opt_out_forms(current, section, request.POST)
    if section:
        form = forms[section]
        _, fields, done = OPT_OUT_SECTIONS[section]
        if form.is_valid() and save_settings(request, form, fields):
            saved_in(request, section, done)
            return redirect(reverse("compliance:opt-out") + f"#{section}")
    sig = forms["signature"]
    if sig.is_bound:
        preview = _signature_preview(
            sig.data.get("signature_mode", ""), sig.data.get("signature_text", ""), ""
        )
    else:
        preview = _signature_preview(current.signature_mode, current.signature_text, "")
    return render_tab(
        request,
        "opt_out.html",
        "opt-out",
        status=200,
        settings=current,
        forms=forms,
        scope_options=[(v, label, SCOPE_HELP[v]) for v, label in SCOPE_CHOICES],
        signature_options=[(v, label, SIGNATURE_HELP[v]) for v, label in SIGNATURE_CHOICES],
        selected_scope=forms["scope"]["opt_out_scope"].value(),
        selected_signature=sig["signature_mode"].value(),
        preview=preview,
        previews=reply_previews(
            request.workspace,
            {
                replies.OPT_OUT: forms["confirmation"]["opt_out_confirmation_text"].value(),
                replies.DOUBLE_OPT_IN: forms["consent"]["double_opt_in_text"].value(),
                replies.WELCOME: forms["consent"]["welcome_text"].value(),
            },
        ),
    )


def reply_previews(workspace, texts: dict) -> dict:
    """The live previews of the reply editors on a page, for their texts as shown."""
    return {
        kind: selectors.reply_text_preview(workspace=workspace, kind=kind, text=text or "")
        for kind, text in texts.items()
    }


@require_POST
@compliance_manager_required
def reply_text_preview(request):
    """htmx: a reply being edited as the contact would get it, with its segments and the
    editor's warnings (the opt-out confirmation's way back in, one segment, the double opt-in
    request's required elements). Saves nothing."""
    kind = request.POST.get("kind", "")
    if kind not in replies.EDITED_REPLIES:
        return HttpResponse("Unknown reply.", status=400)
    field, _ = replies.EDITED_REPLIES[kind]
    preview = selectors.reply_text_preview(
        workspace=request.workspace, kind=kind, text=request.POST.get(field, "")
    )
    return render(request, "optout/_reply_text_preview.html", {"preview": preview})


@require_POST
@compliance_manager_required
def signature_preview(request):
    """htmx: the sample message as it would be sent, with its segment count. Saves nothing."""
    form = PreviewForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    preview = _signature_preview(
        data.get("signature_mode") or "", data.get("signature_text") or "", data.get("sample") or ""
    )
    return render(request, "optout/_signature_preview.html", {"preview": preview})
