"""API of broadcasts: create (with a preview beforehand), follow, pause, resume, cancel, and the
per-recipient report (JSON pages or CSV)."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from compliance_center.errors import DomainError, ErrorCode
from compliance_center.segments import MAX_BODY_LENGTH
from optout.exports import stream_csv
from workspaces.models import PhoneNumber
from workspaces.tenancy import WorkspaceScopedMixin

from .broadcasts import selectors, services
from .broadcasts.models import Broadcast, BroadcastRecipient, RecipientStatus

BROADCAST_ERRORS = (
    ErrorCode.INVALID_NUMBER,
    ErrorCode.UNKNOWN_SENDER_NUMBER,
    ErrorCode.INVALID_BODY,
    ErrorCode.BODY_TOO_LONG,
    ErrorCode.UNKNOWN_MERGE_FIELD,
    ErrorCode.EMPTY_AUDIENCE,
)

_FROM_SCHEMA = {
    "oneOf": [
        {"type": "string", "description": "One sender number of the workspace."},
        {
            "type": "array",
            "items": {"type": "string"},
            "minItems": 1,
            "maxItems": 50,
            "description": "A pool: recipients are spread over these numbers (a contact "
            "always gets the same one).",
        },
    ]
}
_AUDIENCE_SCHEMA = {
    "type": "object",
    "description": 'One of {"numbers": ["+1…", …]} (at most 10,000), {"tag": "vip"} or '
    '{"all": true}.',
    "properties": {
        "numbers": {"type": "array", "items": {"type": "string"}, "maxItems": 10000},
        "tag": {"type": "string", "minLength": 1, "maxLength": 64},
        "all": {"type": "boolean", "enum": [True]},
    },
    "minProperties": 1,
    "maxProperties": 1,
}


@extend_schema_field(_FROM_SCHEMA)
class SendersField(serializers.JSONField):
    pass


@extend_schema_field(_AUDIENCE_SCHEMA)
class AudienceField(serializers.JSONField):
    pass


@extend_schema_field(
    {
        "type": "object",
        "properties": {
            k: {"type": "integer"} for k in (*selectors.COUNT_KEYS, "pending", "queued", "total")
        },
    }
)
class CountsField(serializers.DictField):
    pass


class BroadcastInput(serializers.Serializer):
    body = serializers.CharField(
        max_length=MAX_BODY_LENGTH * 2,
        trim_whitespace=False,
        help_text="The text, with merge fields: {first_name}, {last_name}, {name}, {phone} or a "
        "custom field ({city}); {first_name|there} falls back to “there” for a contact without "
        "one; {{ and }} write braces. At most 1,600 characters after merge and signature.",
    )
    audience = AudienceField()
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    send_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="When to start; now when absent or past."
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = SendersField(help_text="A sender number, or a list of them (a pool).")
        return fields

    def validate_from(self, value: Any) -> Any:
        if isinstance(value, str) or (
            isinstance(value, list) and value and all(isinstance(v, str) for v in value)
        ):
            return value
        raise serializers.ValidationError("A number, or a list of numbers.")


class PreviewInput(BroadcastInput):
    pass


class BroadcastSerializer(serializers.ModelSerializer):
    counts = serializers.SerializerMethodField()

    class Meta:
        model = Broadcast
        fields = [
            "id",
            "name",
            "status",
            "body",
            "audience",
            "send_at",
            "counts",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    @extend_schema_field(CountsField)
    def get_counts(self, broadcast: Broadcast) -> dict[str, int]:
        return selectors.broadcast_counts(broadcast)

    def to_representation(self, instance: Broadcast) -> dict:
        data = super().to_representation(instance)
        numbers = dict(
            PhoneNumber.objects.filter(pk__in=instance.senders).values_list("pk", "number")
        )
        data["from"] = [numbers[pk] for pk in instance.senders if pk in numbers]
        return data


class PreviewSerializer(serializers.Serializer):
    counts = CountsField()
    sample_to = serializers.CharField()
    text = serializers.CharField(help_text="The final text for a sample recipient.")
    chars = serializers.IntegerField()
    segments = serializers.IntegerField()
    encoding = serializers.CharField()
    signed = serializers.BooleanField()
    cost_segments = serializers.IntegerField(help_text="segments × eligible recipients")


class RecipientSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    sender = serializers.SerializerMethodField()

    class Meta:
        model = BroadcastRecipient
        fields = [
            "id",
            "phone",
            "name",
            "status",
            "sender",
            "error_code",
            "detail",
            "message",
            "updated_at",
        ]

    def get_name(self, row: BroadcastRecipient) -> str:
        return row.contact.name if row.contact else ""

    def get_sender(self, row: BroadcastRecipient) -> str:
        return row.phone_number.number if row.phone_number else ""


def _create_args(data: dict) -> dict:
    return {"from_": data["from"], "body": data["body"], "audience": data["audience"]}


def _draft_args(data: dict) -> dict:
    return {**_create_args(data), "send_at": data.get("send_at")}


class BroadcastList(WorkspaceScopedMixin, generics.ListCreateAPIView):
    """The workspace's broadcasts, newest first. POST creates one: every recipient goes through
    the send policy (excluded when opted out under the scope in force, without consent or with
    an invalid number; deferred to their sending window), each sender number is paced to its
    `messages_per_second`, and a contact gets it at most once."""

    serializer_class = BroadcastSerializer
    api_errors = {"POST": BROADCAST_ERRORS}
    queryset = Broadcast.objects.all()

    @extend_schema(request=BroadcastInput, responses={201: BroadcastSerializer})
    def post(self, request: Request) -> Response:
        data = BroadcastInput(data=request.data)
        data.is_valid(raise_exception=True)
        broadcast = services.broadcast_create(
            workspace=self.workspace,
            send_at=data.validated_data.get("send_at"),
            name=data.validated_data.get("name", ""),
            **_create_args(data.validated_data),
        )
        return Response(BroadcastSerializer(broadcast).data, status=201)


class BroadcastPreview(WorkspaceScopedMixin, generics.GenericAPIView):
    """What a broadcast would do now, without sending: how many are eligible and how many are
    excluded and why, the final text of a sample recipient with its signature, its segments and
    the cost in segments."""

    serializer_class = PreviewSerializer
    api_errors = {"POST": BROADCAST_ERRORS}
    queryset = Broadcast.objects.all()

    @extend_schema(request=PreviewInput, responses={200: PreviewSerializer})
    def post(self, request: Request) -> Response:
        data = PreviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        draft = services.broadcast_draft(
            workspace=self.workspace, **_draft_args(data.validated_data)
        )
        return Response(PreviewSerializer(selectors.preview(draft)).data)


class BroadcastDetail(WorkspaceScopedMixin, generics.RetrieveAPIView):
    """A broadcast: its status (scheduled, sending, paused, done, cancelled) and counts."""

    serializer_class = BroadcastSerializer
    queryset = Broadcast.objects.all()


class _Action(WorkspaceScopedMixin, generics.GenericAPIView):
    serializer_class = BroadcastSerializer
    queryset = Broadcast.objects.all()
    api_errors = {"POST": (ErrorCode.INVALID_TRANSITION,)}
    action = staticmethod(services.broadcast_pause)

    @extend_schema(request=None, responses={200: BroadcastSerializer})
    def post(self, request: Request, pk: int) -> Response:
        broadcast = type(self).action(broadcast=self.get_object())
        return Response(BroadcastSerializer(broadcast).data)


class BroadcastPause(_Action):
    """Stops handing recipients to the send path (texts already queued, about two seconds' worth,
    still go). A finished or cancelled broadcast answers 409 `invalid_transition`."""

    action = staticmethod(services.broadcast_pause)


class BroadcastResume(_Action):
    """Goes on from where the broadcast was paused; 409 unless it is paused."""

    action = staticmethod(services.broadcast_resume)


class BroadcastCancel(_Action):
    """Nobody else gets the broadcast; 409 when it is already done or cancelled."""

    action = staticmethod(services.broadcast_cancel)


REPORT_PARAMETERS = [
    OpenApiParameter("status", OpenApiTypes.STR, enum=list(RecipientStatus.values)),
    OpenApiParameter(
        "format",
        OpenApiTypes.STR,
        enum=["json", "csv"],
        description="`csv`: every recipient (filtered by `status`) as a CSV download.",
    ),
]


class BroadcastRecipients(WorkspaceScopedMixin, generics.ListAPIView):
    """The per-recipient report of a broadcast, in order: status, sender, error; `?format=csv`
    downloads it whole."""

    serializer_class = RecipientSerializer
    queryset = Broadcast.objects.all()

    def _status(self) -> str:
        status = self.request.query_params.get("status", "")
        if status and status not in RecipientStatus.values:
            raise DomainError(
                ErrorCode.INVALID_CHOICE,
                f"status is one of {', '.join(RecipientStatus.values)}.",
                field="status",
            )
        return status

    def get_queryset(self):
        broadcast = generics.get_object_or_404(super().get_queryset(), pk=self.kwargs["pk"])
        qs = BroadcastRecipient.objects.filter(broadcast=broadcast).select_related(
            "contact", "phone_number"
        )
        status = self._status()
        return (qs.filter(status=status) if status else qs).order_by("id")

    @extend_schema(
        parameters=REPORT_PARAMETERS,
        responses={
            (200, "application/json"): RecipientSerializer(many=True),
            (200, "text/csv"): OpenApiTypes.STR,
        },
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        if request.query_params.get("format") == "csv":
            broadcast = generics.get_object_or_404(
                WorkspaceScopedMixin.get_queryset(self), pk=self.kwargs["pk"]
            )
            return stream_csv(
                f"broadcast-{broadcast.pk}-report.csv",
                selectors.REPORT_HEADER,
                selectors.report_rows(broadcast, status=self._status()),
            )
        return super().get(request, *args, **kwargs)
