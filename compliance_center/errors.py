"""The one error vocabulary: every public error code, and the exception services raise.

Services say *what* went wrong (`DomainError(ErrorCode.QUIET_HOURS, "…")`); only the edge (the
API's exception handler, a view) decides the HTTP status, from `compliance_center.api_errors`.
"""

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    # Input
    INVALID = "invalid"
    INVALID_CHOICE = "invalid_choice"
    MAX_LENGTH = "max_length"
    MIN_LENGTH = "min_length"
    MAX_VALUE = "max_value"
    MIN_VALUE = "min_value"
    INVALID_NUMBER = "invalid_number"
    INVALID_BODY = "invalid_body"
    BODY_TOO_LONG = "body_too_long"
    INVALID_KEYWORD = "invalid_keyword"
    REASON_REQUIRED = "reason_required"
    PARSE_ERROR = "parse_error"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    URL_NOT_ALLOWED = "url_not_allowed"
    INVALID_TIME_ZONE = "invalid_time_zone"
    INVALID_ACCOUNT_SID = "invalid_account_sid"
    INVALID_PASSWORD = "invalid_password"
    # Tenancy and references
    UNKNOWN_SENDER_NUMBER = "unknown_sender_number"
    UNKNOWN_NUMBER = "unknown_number"
    NOT_FOUND = "not_found"
    # Conflicts with what exists
    NUMBER_TAKEN = "number_taken"
    CONTACT_EXISTS = "contact_exists"
    KEYWORD_EXISTS = "keyword_exists"
    KEYWORD_LIMIT_REACHED = "keyword_limit_reached"
    NOT_OPTED_OUT = "not_opted_out"
    ALREADY_OPTED_OUT = "already_opted_out"
    REVIEW_RESOLVED = "review_resolved"
    OVERRIDE_EXISTS = "override_exists"
    INVALID_LANGUAGE = "invalid_language"
    INVALID_COUNTRY = "invalid_country"
    NUMBER_IN_USE = "number_in_use"
    EMAIL_TAKEN = "email_taken"
    ALREADY_MEMBER = "already_member"
    INVITATION_PENDING = "invitation_pending"
    LAST_ADMIN = "last_admin"
    # Invitations that can no longer be used
    INVITATION_EXPIRED = "invitation_expired"
    INVITATION_USED = "invitation_used"
    INVITATION_REVOKED = "invitation_revoked"
    # Broadcasts and imports
    EMPTY_AUDIENCE = "empty_audience"
    UNKNOWN_MERGE_FIELD = "unknown_merge_field"
    INVALID_TRANSITION = "invalid_transition"
    INVALID_FILE = "invalid_file"
    # Sends the rules refuse
    RECIPIENT_OPTED_OUT = "recipient_opted_out"
    QUIET_HOURS = "quiet_hours"
    CONTENT_BLOCKED = "content_blocked"
    CONSENT_REQUIRED = "consent_required"
    CONSENT_PENDING = "consent_pending"
    # Access
    NOT_AUTHENTICATED = "not_authenticated"
    AUTHENTICATION_FAILED = "authentication_failed"
    PERMISSION_DENIED = "permission_denied"
    INVITATION_WRONG_EMAIL = "invitation_wrong_email"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_ACCEPTABLE = "not_acceptable"
    THROTTLED = "throttled"
    ERROR = "error"


class DomainError(Exception):
    """A refused action: a stable `code`, a sentence for people (`detail`), the input `field` it
    concerns if any, and extra public facts (`extra`, e.g. the opt-out that blocks a send)."""

    def __init__(self, code: ErrorCode, detail: str, *, field: str | None = None, **extra: Any):
        super().__init__(detail)
        self.code = ErrorCode(code)
        self.detail = detail
        self.field = field
        self.extra = extra

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!s}, {self.detail!r})"
