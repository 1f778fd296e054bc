"""Compliance Center pages under /compliance/."""

from django.urls import path

from . import views

app_name = "compliance"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("opt-out/", views.opt_out, name="opt-out"),
    path("opt-out/preview/", views.signature_preview, name="signature-preview"),
    path("keywords/", views.keywords, name="keywords"),
    path("keywords/add/<str:kind>/", views.keyword_add, name="keyword-add"),
    path("keywords/<int:pk>/remove/", views.keyword_remove, name="keyword-remove"),
    path("keywords/replies/", views.keyword_replies, name="keyword-replies"),
    path("block-list/", views.block_list, name="block-list"),
    path("block-list/opt-out/", views.block_list_opt_out, name="block-list-opt-out"),
    path("block-list.csv", views.block_list_csv, name="block-list-csv"),
    path("consent-ledger.csv", views.consent_ledger_csv, name="consent-ledger-csv"),
    path("contacts/<int:pk>/", views.contact, name="contact"),
    path("contacts/<int:pk>/lift/", views.contact_lift, name="contact-lift"),
    path("audit-log/", views.audit_log, name="audit-log"),
]
