"""DRF authentication: `Authorization: Token <key>` acts inside the token's workspace."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .models import ApiToken


class TokenPrincipal:
    """The request.user of an API call: the workspace the token belongs to."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, token: ApiToken):
        self.token = token
        self.workspace = token.workspace
        self.pk = None

    def __str__(self) -> str:
        return f"API token {self.token.prefix}…"


class WorkspaceTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() not in (b"token", b"bearer"):
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header."))
        try:
            raw = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("Malformed token.")) from exc
        token = (
            ApiToken.objects.select_related("workspace")
            # The Twilio token is not needed to serve an API call: don't decrypt it each time.
            .defer("workspace__twilio_auth_token")
            .filter(key_hash=ApiToken.hash(raw), revoked_at__isnull=True)
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        request.workspace = token.workspace
        return TokenPrincipal(token), token

    def authenticate_header(self, request):
        return self.keyword
