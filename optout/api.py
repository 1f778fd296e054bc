"""API of consent: compliance settings, keywords, block list, ledger, CRM webhook endpoints."""

from datetime import UTC, tzinfo

from django.db import models
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from compliance_center.errors import DomainError, ErrorCode
from compliance_center.phone import InvalidNumber, to_e164
from compliance_center.segments import MAX_BODY_LENGTH
from workspaces.api import E164Field
from workspaces.models import PhoneNumber
from workspaces.selectors import workspace_number
from workspaces.tenancy import WorkspaceScopedMixin

from . import content, services
from .defaults import OPTIONAL_PACKS
from .exports import stream_csv
from .models import (
    ComplianceSettings,
    ConsentEvent,
    ConsentSource,
    Keyword,
    KeywordKind,
    OptIn,
    OptInSource,
    OptOut,
    OptOutScope,
    ReplyOverride,
    WebhookEndpoint,
)
from .selectors import block_for, compliance_settings_for

# A wall-clock time without a UTC offset: what the API answers ("21:00:00") and what it is sent
# ("21:00" or "21:00:00"). OpenAPI's `format: time` would demand an offset (RFC 3339).
LOCAL_TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$"


@extend_schema_field(
    {
        "type": "string",
        "pattern": LOCAL_TIME_PATTERN,
        "example": "21:00",
        "description": "HH:MM[:ss], local time in the settings' `timezone`, no UTC offset.",
    }
)
class LocalTimeField(serializers.TimeField):
    """DRF's TimeField, documented as the offset-less time it is."""


class ComplianceSettingsSerializer(serializers.ModelSerializer):
    language_packs = serializers.ListField(
        child=serializers.ChoiceField(choices=list(OPTIONAL_PACKS)),
        required=False,
        help_text="Keyword packs answered beside English (fr: ARRET, AIDE; es: ALTO, PARAR, "
        "CANCELAR, BAJA, AYUDA). Canadian numbers always answer STOP and ARRET.",
    )
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.TimeField: LocalTimeField,
    }

    class Meta:
        model = ComplianceSettings
        fields = [
            "opt_out_scope",
            "opt_out_confirmation_enabled",
            "opt_out_confirmation_text",
            "opt_in_confirmation_text",
            "help_text",
            "signature_mode",
            "signature_text",
            "quiet_hours_enabled",
            "quiet_hours_start",
            "quiet_hours_end",
            "timezone",
            "blocked_terms",
            "language_packs",
            "consent_required",
            "double_opt_in_enabled",
            "double_opt_in_text",
            "welcome_text",
            "double_opt_in_expiry_days",
            "state_rules_enabled",
            "reply_window_hours",
            "content_rules",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]
        extra_kwargs = {
            "double_opt_in_expiry_days": {"min_value": 1, "max_value": 90},
            "reply_window_hours": {"max_value": 168},
        }

    content_rules = serializers.DictField(
        child=serializers.ChoiceField(choices=list(content.ACTIONS)),
        required=False,
        help_text="SHAFT-C action per category (sex, hate, alcohol, firearms, tobacco, "
        "cannabis): block (the default), warn or allow.",
    )

    def validate_language_packs(self, value: list[str]) -> list[str]:
        return sorted(set(value))

    def validate_content_rules(self, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(content.CATEGORIES))
        if unknown:
            raise serializers.ValidationError(
                f"Unknown content categories: {', '.join(unknown)} "
                f"(known: {', '.join(content.CATEGORIES)}).",
                code="invalid_choice",
            )
        return value

    def validate_double_opt_in_text(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("Write the request the contact receives.")
        return value.strip()


class ComplianceSettingsView(WorkspaceScopedMixin, APIView):
    """The workspace's compliance settings: opt-out scope, confirmations, signature, quiet hours,
    blocked terms. PATCH changes the fields it is given."""

    @extend_schema(responses=ComplianceSettingsSerializer)
    def get(self, request):
        return Response(ComplianceSettingsSerializer(compliance_settings_for(self.workspace)).data)

    @extend_schema(request=ComplianceSettingsSerializer, responses=ComplianceSettingsSerializer)
    def patch(self, request):
        current = compliance_settings_for(self.workspace)
        serializer = ComplianceSettingsSerializer(current, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.compliance_settings_update(
            workspace=self.workspace, via="api", **serializer.validated_data
        )
        return Response(ComplianceSettingsSerializer(compliance_settings_for(self.workspace)).data)


class KeywordSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=KeywordKind.choices)

    class Meta:
        model = Keyword
        fields = ["id", "kind", "keyword", "language", "reply_text", "created_at"]


class KeywordList(WorkspaceScopedMixin, generics.ListCreateAPIView):
    """The workspace's custom keywords (the built-in ones are always on); POST adds one."""

    serializer_class = KeywordSerializer
    api_errors = {
        "POST": (
            ErrorCode.INVALID_KEYWORD,
            ErrorCode.KEYWORD_EXISTS,
            ErrorCode.KEYWORD_LIMIT_REACHED,
        )
    }
    pagination_class = None
    queryset = Keyword.objects.all()

    def perform_create(self, serializer: KeywordSerializer) -> None:
        serializer.instance = services.keyword_add(
            workspace=self.workspace, **serializer.validated_data
        )


class KeywordDetail(WorkspaceScopedMixin, generics.RetrieveDestroyAPIView):
    """A custom keyword; DELETE removes it."""

    serializer_class = KeywordSerializer
    queryset = Keyword.objects.all()

    def perform_destroy(self, instance: Keyword) -> None:
        services.keyword_remove(keyword=instance)


class OptOutSerializer(serializers.ModelSerializer):
    contact = serializers.CharField(source="contact.phone", read_only=True)
    phone_number = serializers.CharField(source="phone_number.number", read_only=True)
    reason = serializers.CharField(source="event.reason", read_only=True)
    message = serializers.CharField(source="event.message_body", read_only=True)

    class Meta:
        model = OptOut
        fields = [
            "id",
            "contact",
            "phone_number",
            "scope",
            "source",
            "reason",
            "message",
            "created_at",
        ]


class OptOutCreateSerializer(serializers.Serializer):
    contact = E164Field(max_length=40)
    phone_number = E164Field(max_length=40, help_text="The workspace number the opt-out is on.")
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True)


class OptOutList(WorkspaceScopedMixin, generics.ListCreateAPIView):
    """The block list, newest first (`?contact=+1…` filters); POST records a manual opt-out
    (source `api`)."""

    api_errors = {
        "POST": (
            ErrorCode.INVALID_NUMBER,
            ErrorCode.UNKNOWN_SENDER_NUMBER,
            ErrorCode.ALREADY_OPTED_OUT,
        )
    }

    def get_serializer_class(self):
        return OptOutCreateSerializer if self.request.method == "POST" else OptOutSerializer

    queryset = OptOut.objects.select_related("contact", "phone_number", "event")

    def get_queryset(self) -> QuerySet[OptOut]:
        qs = super().get_queryset()
        if contact := self.request.query_params.get("contact"):
            qs = qs.filter(contact__phone=contact.strip().replace(" ", "+", 1))
        return qs

    @extend_schema(parameters=[OpenApiParameter("contact", OpenApiTypes.STR)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=OptOutCreateSerializer, responses={201: OptOutSerializer})
    def post(self, request: Request) -> Response:
        serializer = OptOutCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        opt_out = services.opt_out_api(
            workspace=self.workspace,
            contact_phone=data["contact"],
            phone_number=_workspace_number(self.workspace, data["phone_number"]),
            reason=data.get("reason", ""),
        )
        return Response(OptOutSerializer(opt_out).data, status=201)


def _workspace_number(workspace: object, e164: str) -> PhoneNumber:
    number = workspace_number(workspace.id, e164)
    if number is None:
        raise DomainError(
            ErrorCode.UNKNOWN_SENDER_NUMBER, f"{e164} is not a phone number of this workspace."
        )
    return number


def _query_number(request: Request, name: str) -> str:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        raise DomainError(ErrorCode.INVALID, f"'{name}' is required.", field=name)
    if raw[0].isdigit() and len(raw) > 10:
        # An unencoded "+" in a query string arrives as a space, stripped above.
        raw = "+" + raw
    try:
        return to_e164(raw)
    except InvalidNumber as exc:
        raise DomainError(ErrorCode.INVALID_NUMBER, f"'{name}': {exc}", field=name) from exc


class OptOutCheckSerializer(serializers.Serializer):
    """The answer of `opt-outs/check` (schema only); the opt-out's facts when blocked."""

    blocked = serializers.BooleanField()
    to = serializers.CharField(help_text="The contact's number, E.164.")
    code = serializers.CharField(required=False, help_text="`recipient_opted_out` when blocked.")
    scope = serializers.ChoiceField(choices=OptOutScope.choices, required=False)
    workspace_scope = serializers.ChoiceField(choices=OptOutScope.choices, required=False)
    source = serializers.ChoiceField(choices=ConsentSource.choices, required=False)
    opted_out_on = serializers.CharField(required=False, help_text="The number opted out on.")
    opted_out_at = serializers.DateTimeField(required=False)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.CharField(help_text="The workspace number, E.164.")
        return fields


class OptOutCheck(WorkspaceScopedMixin, APIView):
    """Whether a send from a workspace number to a contact would be refused as opted out."""

    api_errors = {"GET": (ErrorCode.INVALID_NUMBER, ErrorCode.UNKNOWN_SENDER_NUMBER)}

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.STR, required=True),
            OpenApiParameter("to", OpenApiTypes.STR, required=True),
        ],
        responses=OptOutCheckSerializer,
    )
    def get(self, request: Request) -> Response:
        sender = _workspace_number(self.workspace, _query_number(request, "from"))
        to = _query_number(request, "to")
        block = block_for(workspace_id=self.workspace.id, contact_phone=to, number=sender.number)
        if block is None:
            return Response({"blocked": False, "from": sender.number, "to": to})
        return Response(
            {
                "blocked": True,
                "from": sender.number,
                "to": to,
                "code": ErrorCode.RECIPIENT_OPTED_OUT.value,
                "scope": block.scope,
                "workspace_scope": block.workspace_scope,
                "source": block.source,
                "opted_out_on": block.number,
                "opted_out_at": block.created_at,
            }
        )


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class NumberListField(serializers.JSONField):
    """The E.164 numbers an event covered (stored as JSON), documented as the list it is."""


class ConsentEventSerializer(serializers.ModelSerializer):
    contact = serializers.CharField(source="contact.phone")
    # null: an event without a number (removed since) or without a person (keyword, API).
    phone_number = serializers.CharField(
        source="phone_number.number", default=None, allow_null=True
    )
    actor = serializers.CharField(source="actor.email", default=None, allow_null=True)
    numbers = NumberListField()

    class Meta:
        model = ConsentEvent
        fields = [
            "id",
            "contact",
            "kind",
            "source",
            "scope",
            "phone_number",
            "numbers",
            "message_body",
            "actor",
            "reason",
            "created_at",
        ]


CSV_COLUMNS = ConsentEventSerializer.Meta.fields


class ConsentEventList(WorkspaceScopedMixin, generics.ListAPIView):
    """The consent ledger, newest first; `?contact=+1…` filters, `?format=csv` exports it all."""

    serializer_class = ConsentEventSerializer

    queryset = ConsentEvent.objects.select_related("contact", "phone_number", "actor")

    def get_queryset(self) -> QuerySet[ConsentEvent]:
        qs = super().get_queryset()
        if contact := self.request.query_params.get("contact"):
            qs = qs.filter(contact__phone=contact.strip().replace(" ", "+", 1))
        return qs

    @extend_schema(
        parameters=[
            OpenApiParameter("contact", OpenApiTypes.STR),
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=["json", "csv"],
                description="`csv`: the whole ledger (filtered by `contact`) as a CSV download.",
            ),
        ],
        responses={
            (200, "application/json"): ConsentEventSerializer,
            (200, "text/csv"): OpenApiTypes.STR,
        },
    )
    def get(self, request, *args, **kwargs):
        if request.query_params.get("format") == "csv":
            return consent_events_csv(self.get_queryset())
        return super().get(request, *args, **kwargs)


def consent_events_csv(queryset, time_zone: tzinfo | None = None) -> StreamingHttpResponse:
    """The ledger as CSV; times in `time_zone` (the workspace's, from its pages), else UTC. The
    rows are written after the view has returned: the zone is carried, not read then."""
    zone = time_zone or UTC

    def rows():
        with timezone.override(zone):
            for event in queryset.iterator(chunk_size=2000):
                data = ConsentEventSerializer(event).data
                data["numbers"] = " ".join(data["numbers"])
                yield [data[c] if data[c] is not None else "" for c in CSV_COLUMNS]

    return stream_csv("consent-events.csv", CSV_COLUMNS, rows())


class WebhookEndpointSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "secret", "is_active", "created_at"]
        read_only_fields = ["secret", "created_at"]
        extra_kwargs = {"is_active": {"default": True}}


class WebhookEndpointList(WorkspaceScopedMixin, generics.ListCreateAPIView):
    """CRM endpoints notified of every opt-out and opt-in (signed with `secret`)."""

    serializer_class = WebhookEndpointSerializer
    queryset = WebhookEndpoint.objects.all()

    def perform_create(self, serializer: WebhookEndpointSerializer) -> None:
        serializer.instance = services.webhook_endpoint_create(
            workspace=self.workspace, via="api", **serializer.validated_data
        )


class ReplyOverrideSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=ReplyOverride.Kind.choices)
    language = serializers.CharField(max_length=16, required=False, allow_blank=True)
    country = serializers.CharField(max_length=2, required=False, allow_blank=True)
    text = serializers.CharField(max_length=MAX_BODY_LENGTH, min_length=1)

    class Meta:
        model = ReplyOverride
        fields = ["id", "kind", "language", "country", "text", "created_at"]
        read_only_fields = ["id", "created_at"]
        validators: list = []  # the unique combination is the service's `override_exists`


class ReplyOverrideList(WorkspaceScopedMixin, generics.ListCreateAPIView):
    """Reply texts by language and/or country for opt-out, opt-in, HELP, welcome and double
    opt-in replies; the most specific wins (country and language, language, country, default)."""

    serializer_class = ReplyOverrideSerializer
    queryset = ReplyOverride.objects.all()
    pagination_class = None
    api_errors = {
        "POST": (
            ErrorCode.INVALID_LANGUAGE,
            ErrorCode.INVALID_COUNTRY,
            ErrorCode.OVERRIDE_EXISTS,
            ErrorCode.INVALID_BODY,
            ErrorCode.BODY_TOO_LONG,
        )
    }

    def perform_create(self, serializer: ReplyOverrideSerializer) -> None:
        serializer.instance = services.reply_override_add(
            workspace=self.workspace, **serializer.validated_data
        )


class ReplyOverrideDetail(WorkspaceScopedMixin, generics.RetrieveDestroyAPIView):
    serializer_class = ReplyOverrideSerializer
    queryset = ReplyOverride.objects.all()

    def perform_destroy(self, instance: ReplyOverride) -> None:
        services.reply_override_remove(override=instance)


class OptInSerializer(serializers.ModelSerializer):
    contact = serializers.CharField(source="contact.phone", read_only=True)
    number = serializers.CharField(source="phone_number.number", read_only=True)
    consent_status = serializers.SerializerMethodField()

    class Meta:
        model = OptIn
        fields = [
            "id",
            "contact",
            "number",
            "status",
            "consent_status",
            "source",
            "evidence",
            "scope",
            "created_at",
            "confirmed_at",
            "expires_at",
            "request_sent_at",
        ]

    def get_consent_status(self, opt_in: OptIn) -> str:
        return "opted_in" if opt_in.status == OptIn.Status.CONFIRMED else "pending"


class OptInCreateSerializer(serializers.Serializer):
    contact = E164Field(max_length=40)
    number = E164Field(
        max_length=40,
        required=False,
        help_text="The workspace number the consent covers (default: the first one).",
    )
    source = serializers.ChoiceField(
        choices=[c for c in OptInSource.choices if c[0] != OptInSource.KEYWORD]
    )
    evidence = serializers.CharField(
        max_length=4000, min_length=1, help_text="The words or the form the contact agreed to."
    )


class OptInList(WorkspaceScopedMixin, generics.ListCreateAPIView):
    """Consent on record (`?contact=+1…` filters). POST records express consent given elsewhere
    (a form, a call, the API): confirmed at once, or `pending` under double opt-in, when the
    request text is sent and the contact confirms with YES. An opted-out contact is refused."""

    queryset = OptIn.objects.select_related("contact", "phone_number")
    api_errors = {
        "POST": (
            ErrorCode.INVALID_NUMBER,
            ErrorCode.UNKNOWN_SENDER_NUMBER,
            ErrorCode.RECIPIENT_OPTED_OUT,
        )
    }

    def get_serializer_class(self):
        return OptInCreateSerializer if self.request.method == "POST" else OptInSerializer

    def get_queryset(self) -> QuerySet[OptIn]:
        qs = super().get_queryset()
        if contact := self.request.query_params.get("contact"):
            qs = qs.filter(contact__phone=contact.strip().replace(" ", "+", 1))
        return qs

    @extend_schema(
        request=OptInCreateSerializer,
        responses={
            201: OptInSerializer,
            200: OpenApiResponse(OptInSerializer, "The same consent was on record: unchanged."),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = OptInCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        number = _workspace_number(self.workspace, data["number"]) if data.get("number") else None
        recorded = services.consent_record(
            workspace=self.workspace,
            contact_phone=data["contact"],
            number=number,
            source=data["source"],
            evidence=data["evidence"],
        )
        opt_in = self.get_queryset().get(pk=recorded.opt_in.pk)
        return Response(OptInSerializer(opt_in).data, status=201 if recorded.created else 200)
