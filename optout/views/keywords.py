"""Keywords tab: built-in and custom keywords per kind, and the keyword replies."""

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from compliance_center.errors import DomainError
from compliance_center.phone import InvalidNumber, to_e164
from workspaces.permissions import compliance_manager_required
from workspaces.tenancy import get_for_workspace_or_404

from .. import selectors, services
from ..defaults import (
    LANGUAGE_NAMES,
    LANGUAGE_PACKS,
    MAX_CUSTOM_KEYWORD_LENGTH,
    MAX_CUSTOM_KEYWORDS_PER_KIND,
    OPTIONAL_PACKS,
)
from ..forms import (
    KeywordAddForm,
    LanguagePacksForm,
    RepliesForm,
    ReplyOverrideForm,
    ReplyPreviewForm,
)
from ..models import Keyword, KeywordKind, ReplyOverride
from .common import render_tab, save_settings, saved_in
from .opt_out import reply_previews


def _keywords_page(
    request,
    *,
    add_forms=None,
    replies_form=None,
    packs_form=None,
    override_forms=None,
    status=200,
):
    current = selectors.compliance_settings_for(request.workspace)
    custom = selectors.custom_keywords_by_kind(request.workspace)
    add_forms, override_forms = add_forms or {}, override_forms or {}
    enabled = ["en", *current.language_packs]
    kinds = []
    for kind, label in KeywordKind.choices:
        kinds.append(
            {
                "kind": kind,
                "label": label,
                "builtins": [
                    (word, language)
                    for language in enabled
                    for word in LANGUAGE_PACKS[language][kind]
                ],
                "custom": custom[kind],
                "full": len(custom[kind]) >= MAX_CUSTOM_KEYWORDS_PER_KIND,
                "form": add_forms.get(kind) or KeywordAddForm(prefix=kind, initial={"kind": kind}),
            }
        )
        if kinds[-1]["full"]:  # 20 of 20: nothing to type until one is removed
            kinds[-1]["form"].fields["keyword"].widget.attrs["disabled"] = True
    overrides = list(ReplyOverride.objects.for_workspace(request.workspace))
    override_kinds = [
        {
            "kind": kind,
            "label": label,
            "rows": [o for o in overrides if o.kind == kind],
            "form": override_forms.get(kind)
            or ReplyOverrideForm(prefix=f"ov-{kind}", initial={"kind": kind}),
        }
        for kind, label in ReplyOverride.Kind.choices
    ]
    packs = [
        {
            "code": code,
            "name": LANGUAGE_NAMES[code],
            "on": code in current.language_packs,
            "words": [w for words in LANGUAGE_PACKS[code].values() for w in words],
        }
        for code in OPTIONAL_PACKS
    ]
    shown_replies = replies_form or RepliesForm(
        initial={
            "opt_in_confirmation_text": current.opt_in_confirmation_text,
            "help_text": current.help_text,
        }
    )
    return render_tab(
        request,
        "keywords.html",
        "keywords",
        status=status,
        kinds=kinds,
        limit=MAX_CUSTOM_KEYWORDS_PER_KIND,
        max_length=MAX_CUSTOM_KEYWORD_LENGTH,
        packs=packs,
        packs_form=packs_form
        or LanguagePacksForm(initial={"language_packs": current.language_packs}),
        override_kinds=override_kinds,
        preview_form=ReplyPreviewForm(initial={"number": "+15145550123", "keyword": "ARRÊT"}),
        replies_form=shown_replies,
        previews=reply_previews(
            request.workspace,
            {
                "opt_in": shown_replies["opt_in_confirmation_text"].value(),
                "help": shown_replies["help_text"].value(),
            },
        ),
    )


@require_GET
@compliance_manager_required
def keywords(request):
    return _keywords_page(request)


@require_POST
@compliance_manager_required
def keyword_add(request, kind: str):
    if kind not in KeywordKind.values:
        return HttpResponse("Unknown keyword kind.", status=404)
    form = KeywordAddForm(request.POST, prefix=kind, initial={"kind": kind})
    if form.is_valid():
        try:
            created = services.keyword_add(
                workspace=request.workspace,
                kind=kind,
                keyword=form.cleaned_data["keyword"],
                language=form.cleaned_data["language"],
                reply_text=form.cleaned_data["reply_text"],
                actor=request.user,
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.detail)
        else:
            saved_in(
                request,
                f"kw-{kind}",
                f"{created.keyword} added: a text that says it now counts as "
                f"{created.get_kind_display().lower()}.",
            )
            return redirect(reverse("compliance:keywords") + f"#kw-{kind}")
    return _keywords_page(request, add_forms={kind: form})


@require_POST
@compliance_manager_required
def keyword_remove(request, pk: int):
    keyword = get_for_workspace_or_404(Keyword, request.workspace, pk=pk)
    services.keyword_remove(keyword=keyword, actor=request.user)
    saved_in(request, f"kw-{keyword.kind}", f"{keyword.keyword} removed.")
    return redirect(reverse("compliance:keywords") + f"#kw-{keyword.kind}")


@require_POST
@compliance_manager_required
def keyword_replies(request):
    form = RepliesForm(request.POST)
    if form.is_valid() and save_settings(request, form, ["opt_in_confirmation_text", "help_text"]):
        saved_in(request, "replies", "Replies saved.")
        return redirect(reverse("compliance:keywords") + "#replies")
    return _keywords_page(request, replies_form=form)


@require_POST
@compliance_manager_required
def language_packs(request):
    form = LanguagePacksForm(request.POST)
    if form.is_valid() and save_settings(request, form, ["language_packs"]):
        saved_in(request, "packs", "Languages saved.")
        return redirect(reverse("compliance:keywords") + "#packs")
    return _keywords_page(request, packs_form=form)


@require_POST
@compliance_manager_required
def reply_override_add(request, kind: str):
    if kind not in ReplyOverride.Kind.values:
        return HttpResponse("Unknown reply kind.", status=404)
    form = ReplyOverrideForm(request.POST, prefix=f"ov-{kind}", initial={"kind": kind})
    if form.is_valid():
        try:
            services.reply_override_add(
                workspace=request.workspace,
                kind=kind,
                language=form.cleaned_data["language"],
                country=form.cleaned_data["country"],
                text=form.cleaned_data["text"],
                actor=request.user,
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.detail)
        else:
            saved_in(request, f"ov-{kind}", "Reply saved.")
            return redirect(reverse("compliance:keywords") + f"#ov-{kind}")
    return _keywords_page(request, override_forms={kind: form}, status=400)


@require_POST
@compliance_manager_required
def reply_override_remove(request, pk: int):
    override = get_for_workspace_or_404(ReplyOverride, request.workspace, pk=pk)
    services.reply_override_remove(override=override, actor=request.user)
    saved_in(request, f"ov-{override.kind}", "Reply removed.")
    return redirect(reverse("compliance:keywords") + f"#ov-{override.kind}")


@require_POST
@compliance_manager_required
def reply_preview(request):
    """htmx: which text a sample contact's number and keyword would get. Saves nothing."""
    form = ReplyPreviewForm(request.POST)
    form.is_valid()
    raw = (form.cleaned_data.get("number") or "").strip()
    try:
        phone = to_e164(raw) if raw else ""
    except InvalidNumber:
        phone = ""
    preview = selectors.reply_preview(
        workspace=request.workspace,
        rules=selectors.compliance_settings_for(request.workspace),
        contact_phone=phone,
        body=form.cleaned_data.get("keyword") or "",
    )
    return render(
        request,
        "optout/_reply_preview.html",
        {"preview": preview, "number": raw, "valid_number": bool(phone) or not raw},
    )
