"""DRF authentication: `Authorization: Token <key>` acts inside the token's workspace."""

from datetime import timedelta

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from compliance_center.process_cache import ProcessCache

from .models import ApiToken, Workspace

_tokens = ProcessCache()  # key hash -> token and workspace values
_WORKSPACE_FIELDS = ("id", "name", "slug", "twilio_account_sid", "created_at")

# `ApiToken.last_used_at` is stamped at most once a minute per token, not on every call: each
# process remembers the tokens it stamped within the minute (no query at all), and the UPDATE
# itself only writes a stamp older than that (several processes write it once between them).
LAST_USED_EVERY_SECONDS = 60
_stamped = ProcessCache(ttl=LAST_USED_EVERY_SECONDS)  # token id -> True


def forget_token(key_hash: str) -> None:
    """Drops this process's cached copy of a token (it was just revoked): refused at once here,
    and by the other processes within PROCESS_CACHE_SECONDS."""
    _tokens.discard(key_hash)


def stamp_last_used(token_id: int) -> None:
    def stamp() -> bool:
        now = timezone.now()
        stale = now - timedelta(seconds=LAST_USED_EVERY_SECONDS)
        ApiToken.objects.filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale), pk=token_id
        ).update(last_used_at=now)
        return True

    _stamped.get(token_id, stamp)


def token_for_key(raw: str) -> ApiToken | None:
    """The live token for a raw key, with its workspace (without the Twilio token), from a
    per-process cache: every API call asks. A revoked token is refused by every process within
    PROCESS_CACHE_SECONDS. Fresh instances each call: a request never shares model objects."""

    key_hash = ApiToken.hash(raw)  # the cache never holds a raw key

    def load():
        token = (
            ApiToken.objects.select_related("workspace")
            .only("id", "prefix", "workspace_id", *(f"workspace__{f}" for f in _WORKSPACE_FIELDS))
            .filter(key_hash=key_hash, revoked_at__isnull=True)
            .first()
        )
        if token is None:
            return None
        ws = token.workspace
        return token.id, token.prefix, tuple(getattr(ws, f) for f in _WORKSPACE_FIELDS)

    found = _tokens.get(key_hash, load)
    if found is None:
        return None
    token_id, prefix, workspace_values = found
    token = ApiToken.from_db(
        DEFAULT_DB_ALIAS, ["id", "prefix", "workspace_id"], [token_id, prefix, workspace_values[0]]
    )
    token.workspace = Workspace.from_db(
        DEFAULT_DB_ALIAS, list(_WORKSPACE_FIELDS), list(workspace_values)
    )
    return token


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
        token = token_for_key(raw)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        stamp_last_used(token.id)
        request.workspace = token.workspace
        return TokenPrincipal(token), token

    def authenticate_header(self, request):
        return self.keyword


class WorkspaceTokenScheme(OpenApiAuthenticationExtension):
    """The OpenAPI security scheme of `WorkspaceTokenAuthentication` (drf-spectacular finds it
    when it meets the authenticator)."""

    target_class = WorkspaceTokenAuthentication
    name = "workspaceToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "The workspace's API token, with its prefix: `Authorization: Token <api_token>` "
                "(`Bearer <api_token>` is accepted too). Every token acts inside one workspace."
            ),
        }
