"""Top-level routes: pages, carrier webhooks, the REST API and its schema, health.

The one module of the project package that sits above the apps: it wires their routes, by
dotted name, so that no import goes upward (see the layers contract in pyproject.toml)."""

from django.conf import settings
from django.contrib import admin
from django.http import HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .health import healthz, healthz_worker

api_v1 = [
    path("", include("workspaces.api_urls")),
    path("", include("optout.api_urls")),
    path("", include("messaging.api_urls")),
]


def favicon(request):
    """Pages name their icon (static/favicon.svg); this answers the browsers and tools that ask
    for /favicon.ico anyway (the admin, the API docs), from this server: no 404 in the log."""
    return HttpResponseRedirect(static("favicon.svg"))


urlpatterns = [
    path("favicon.ico", favicon),
    path("healthz", healthz, name="healthz"),
    path("healthz/worker", healthz_worker, name="healthz-worker"),
    path("webhooks/twilio/", include("messaging.webhook_urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI from installed assets, its init script a separate file (CSP: no inline script).
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api_docs.html"),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
    path("", include("workspaces.urls")),
    path("settings/webhooks/", include("optout.webhook_settings_urls")),
    path("settings/", include("workspaces.settings_urls")),
    path("compliance/", include("optout.urls")),
    path("", include("messaging.urls")),
]

if settings.SIMULATOR_ENABLED:
    urlpatterns.append(path("simulator/", include("messaging.simulator_urls")))
