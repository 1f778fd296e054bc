"""Settings → CRM webhooks, under /settings/webhooks/ (beside workspaces' Settings pages)."""

from django.urls import path

from .views import crm_webhooks

app_name = "webhooks"

urlpatterns = [
    path("", crm_webhooks.endpoints, name="endpoints"),
    path("add/", crm_webhooks.endpoint_add, name="endpoint-add"),
    path("<int:pk>/", crm_webhooks.endpoint, name="endpoint"),
    path("<int:pk>/toggle/", crm_webhooks.endpoint_toggle, name="endpoint-toggle"),
    path("<int:pk>/remove/", crm_webhooks.endpoint_remove, name="endpoint-remove"),
    path("<int:pk>/test/", crm_webhooks.endpoint_test, name="endpoint-test"),
    path("deliveries/<int:pk>/resend/", crm_webhooks.delivery_resend, name="delivery-resend"),
]
