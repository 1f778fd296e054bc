"""Settings pages under /settings/ (CRM webhooks: optout/webhook_settings_urls.py)."""

from django.urls import path

from .settings_views import api_tokens, general, members, phone_numbers, twilio

app_name = "settings"

urlpatterns = [
    path("", general.general, name="general"),
    path("numbers/", phone_numbers.numbers, name="numbers"),
    path("numbers/add/", phone_numbers.number_add, name="number-add"),
    path("numbers/<int:pk>/", phone_numbers.number, name="number"),
    path("numbers/<int:pk>/label/", phone_numbers.number_label, name="number-label"),
    path("numbers/<int:pk>/remove/", phone_numbers.number_remove, name="number-remove"),
    path("twilio/", twilio.twilio, name="twilio"),
    path("twilio/check/", twilio.twilio_check, name="twilio-check"),
    path("members/", members.members, name="members"),
    path("members/invite/", members.invite, name="invite"),
    path("members/<int:pk>/role/", members.member_role, name="member-role"),
    path("members/<int:pk>/remove/", members.member_remove, name="member-remove"),
    path("invitations/<int:pk>/resend/", members.invitation_resend, name="invitation-resend"),
    path("invitations/<int:pk>/revoke/", members.invitation_revoke, name="invitation-revoke"),
    path("api-tokens/", api_tokens.tokens, name="tokens"),
    path("api-tokens/create/", api_tokens.token_create, name="token-create"),
    path("api-tokens/<int:pk>/revoke/", api_tokens.token_revoke, name="token-revoke"),
]
