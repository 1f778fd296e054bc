"""API of consent: compliance settings, keywords, block list, ledger, CRM webhook endpoints."""

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from compliance_center.errors import DomainError, ErrorCode
from compliance_center.phone import InvalidNumber, to_e164
from workspaces.api import E164Field
from workspaces.models import PhoneNumber
from workspaces.selectors import workspace_number
from workspaces.tenancy import WorkspaceScopedMixin

from . import services
from .exports import stream_csv
from .models import (
    ComplianceSettings,
    ConsentEvent,
    Keyword,
    KeywordKind,
    OptOut,
    WebhookEndpoint,
)
from .selectors import block_for, compliance_settings_for


class ComplianceSettingsSerializer(serializers.ModelSerializer):
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
            "updated_at",
        ]
        read_only_fields = ["updated_at"]


class ComplianceSettingsView(WorkspaceScopedMixin, APIView):
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
    serializer_class = KeywordSerializer
    pagination_class = None
    queryset = Keyword.objects.all()

    def perform_create(self, serializer: KeywordSerializer) -> None:
        serializer.instance = services.keyword_add(
            workspace=self.workspace, **serializer.validated_data
        )


class KeywordDetail(WorkspaceScopedMixin, generics.RetrieveDestroyAPIView):
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
    """The block list; POST records a manual opt-out (source `api`)."""

    def get_serializer_class(self):
        return OptOutCreateSerializer if self.request.method == "POST" else OptOutSerializer

    queryset = OptOut.objects.select_related("contact", "phone_number", "event")

    def get_queryset(self) -> QuerySet[OptOut]:
        qs = super().get_queryset()
        if contact := self.request.query_params.get("contact"):
            qs = qs.filter(contact__phone=contact.strip().replace(" ", "+", 1))
        return qs

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


class OptOutCheck(WorkspaceScopedMixin, APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.STR, required=True),
            OpenApiParameter("to", OpenApiTypes.STR, required=True),
        ],
        responses=OpenApiTypes.OBJECT,
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


class ConsentEventSerializer(serializers.ModelSerializer):
    contact = serializers.CharField(source="contact.phone")
    phone_number = serializers.CharField(source="phone_number.number", default=None)
    actor = serializers.CharField(source="actor.email", default=None)

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
            OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv"]),
        ]
    )
    def get(self, request, *args, **kwargs):
        if request.query_params.get("format") == "csv":
            return consent_events_csv(self.get_queryset())
        return super().get(request, *args, **kwargs)


def consent_events_csv(queryset) -> StreamingHttpResponse:
    def rows():
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
