from django.urls import path

from . import api, api_imports

urlpatterns = [
    path("compliance-settings", api.ComplianceSettingsView.as_view(), name="api-settings"),
    path("keywords", api.KeywordList.as_view(), name="api-keywords"),
    path("keywords/<int:pk>", api.KeywordDetail.as_view(), name="api-keyword"),
    path("opt-outs", api.OptOutList.as_view(), name="api-opt-outs"),
    path("opt-outs/check", api.OptOutCheck.as_view(), name="api-opt-out-check"),
    path("consent-events", api.ConsentEventList.as_view(), name="api-consent-events"),
    path("webhook-endpoints", api.WebhookEndpointList.as_view(), name="api-webhook-endpoints"),
    path("reply-overrides", api.ReplyOverrideList.as_view(), name="api-reply-overrides"),
    path("opt-ins", api.OptInList.as_view(), name="api-opt-ins"),
    path("reply-overrides/<int:pk>", api.ReplyOverrideDetail.as_view(), name="api-reply-override"),
    path("imports", api_imports.ImportList.as_view(), name="api-imports"),
    path("imports/<int:pk>", api_imports.ImportDetail.as_view(), name="api-import"),
    path("imports/<int:pk>/errors", api_imports.ImportErrors.as_view(), name="api-import-errors"),
]
