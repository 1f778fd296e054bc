"""Compliance Center pages under /compliance/, one views module per tab."""

from django.urls import path

from .views import audit_log, block_list, keywords, opt_out, overview

app_name = "compliance"

urlpatterns = [
    path("", overview.overview, name="overview"),
    path("opt-out/", opt_out.opt_out, name="opt-out"),
    path("opt-out/preview/", opt_out.signature_preview, name="signature-preview"),
    path("opt-out/reply-preview/", opt_out.reply_text_preview, name="reply-text-preview"),
    path("keywords/", keywords.keywords, name="keywords"),
    path("keywords/add/<str:kind>/", keywords.keyword_add, name="keyword-add"),
    path("keywords/<int:pk>/remove/", keywords.keyword_remove, name="keyword-remove"),
    path("keywords/replies/", keywords.keyword_replies, name="keyword-replies"),
    path("keywords/packs/", keywords.language_packs, name="language-packs"),
    path("keywords/overrides/add/<str:kind>/", keywords.reply_override_add, name="override-add"),
    path(
        "keywords/overrides/<int:pk>/remove/",
        keywords.reply_override_remove,
        name="override-remove",
    ),
    path("keywords/preview/", keywords.reply_preview, name="reply-preview"),
    path("block-list/", block_list.block_list, name="block-list"),
    path("block-list/opt-out/", block_list.block_list_opt_out, name="block-list-opt-out"),
    path("block-list.csv", block_list.block_list_csv, name="block-list-csv"),
    path("consent-ledger.csv", block_list.consent_ledger_csv, name="consent-ledger-csv"),
    path("contacts/<int:pk>/", block_list.contact, name="contact"),
    path("contacts/<int:pk>/lift/", block_list.contact_lift, name="contact-lift"),
    path("contacts/<int:pk>/name/", block_list.contact_rename, name="contact-rename"),
    path("contacts/<int:pk>/consent/", block_list.contact_consent, name="contact-consent"),
    path("audit-log/", audit_log.audit_log, name="audit-log"),
    path("audit-log.csv", audit_log.audit_log_csv, name="audit-log-csv"),
]
