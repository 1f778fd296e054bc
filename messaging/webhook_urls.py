"""Carrier webhooks (Twilio): inbound SMS and delivery status callbacks."""

from django.urls import path

from . import webhooks

urlpatterns = [
    path("sms/", webhooks.inbound_sms, name="twilio-sms"),
    path("status/", webhooks.status_callback, name="twilio-status"),
]
