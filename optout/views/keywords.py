"""Keywords tab: built-in and custom keywords per kind, and the keyword replies."""

from django.contrib import messages as flash
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from compliance_center.errors import DomainError
from workspaces.permissions import compliance_manager_required
from workspaces.tenancy import get_for_workspace_or_404

from .. import selectors, services
from ..defaults import BUILTIN_KEYWORDS, MAX_CUSTOM_KEYWORDS_PER_KIND
from ..forms import (
    KeywordAddForm,
    RepliesForm,
)
from ..models import Keyword, KeywordKind
from .common import render_tab, save_settings


def _keywords_page(request, *, add_forms=None, replies_form=None, status=200):
    current = selectors.compliance_settings_for(request.workspace)
    custom = selectors.custom_keywords_by_kind(request.workspace)
    add_forms = add_forms or {}
    kinds = []
    for kind, label in KeywordKind.choices:
        kinds.append(
            {
                "kind": kind,
                "label": label,
                "builtins": BUILTIN_KEYWORDS[kind],
                "custom": custom[kind],
                "full": len(custom[kind]) >= MAX_CUSTOM_KEYWORDS_PER_KIND,
                "form": add_forms.get(kind) or KeywordAddForm(prefix=kind, initial={"kind": kind}),
            }
        )
    return render_tab(
        request,
        "keywords.html",
        "keywords",
        status=status,
        kinds=kinds,
        limit=MAX_CUSTOM_KEYWORDS_PER_KIND,
        replies_form=replies_form
        or RepliesForm(
            initial={
                "opt_in_confirmation_text": current.opt_in_confirmation_text,
                "help_text": current.help_text,
            }
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
            flash.success(
                request,
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
    flash.success(request, f"{keyword.keyword} removed.")
    return redirect(reverse("compliance:keywords") + f"#kw-{keyword.kind}")


@require_POST
@compliance_manager_required
def keyword_replies(request):
    form = RepliesForm(request.POST)
    if form.is_valid() and save_settings(request, form, ["opt_in_confirmation_text", "help_text"]):
        flash.success(request, "Replies saved.")
        return redirect(reverse("compliance:keywords") + "#replies")
    return _keywords_page(request, replies_form=form)
