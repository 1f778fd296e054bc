"""API of messaging: contacts and messages (sends go through the one send service)."""

from django.db.models import Count, Exists, OuterRef
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from compliance_center.errors import ErrorCode
from compliance_center.phone import InvalidNumber, country_of, to_e164
from compliance_center.segments import MAX_BODY_LENGTH
from optout.models import ConsentStatus, OptIn, RevocationReview
from optout.sending_rules import is_valid_timezone
from workspaces.api import E164Field
from workspaces.models import Contact
from workspaces.services import contact_create
from workspaces.tenancy import WorkspaceScopedMixin

from .models import InboundMessage, Message, MessageSource
from .services.inbound import dead_letter_retry
from .services.outbound import message_send
from .services.reviews import review_decide


class ContactSerializer(serializers.ModelSerializer):
    phone = E164Field(max_length=40)
    opted_out = serializers.SerializerMethodField()
    consent_status = serializers.SerializerMethodField(
        help_text="opted_out (on the block list), opted_in (consent on record), pending (double "
        "opt-in asked) or unknown — across the workspace's numbers."
    )
    country = serializers.SerializerMethodField(help_text="ISO 3166 alpha-2 of the number.")
    time_zone = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text="The contact's own IANA time zone; their quiet hours are kept in it.",
    )

    class Meta:
        model = Contact
        fields = [
            "id",
            "phone",
            "name",
            "opted_out",
            "consent_status",
            "time_zone",
            "country",
            "created_at",
        ]

    def get_opted_out(self, contact: Contact) -> bool:
        return bool(getattr(contact, "opt_out_count", 0))

    def get_consent_status(self, contact: Contact) -> str:
        if getattr(contact, "opt_out_count", 0):
            return ConsentStatus.OPTED_OUT
        if getattr(contact, "has_opt_in", False):
            return ConsentStatus.OPTED_IN
        if getattr(contact, "has_pending", False):
            return ConsentStatus.PENDING
        return ConsentStatus.UNKNOWN

    def get_country(self, contact: Contact) -> str:
        return country_of(contact.phone)

    def validate_time_zone(self, value: str) -> str:
        value = value.strip()
        if value and not is_valid_timezone(value):
            raise serializers.ValidationError(
                f"{value!r} is not a time zone (e.g. America/New_York).", code="invalid"
            )
        return value


class ContactList(WorkspaceScopedMixin, generics.ListCreateAPIView):
    """The workspace's contacts (`?phone=` finds one by number, any format); POST adds one."""

    serializer_class = ContactSerializer
    api_errors = {"POST": (ErrorCode.INVALID_NUMBER, ErrorCode.CONTACT_EXISTS)}
    queryset = Contact.objects.all()

    def get_queryset(self):
        opt_ins = OptIn.objects.filter(contact=OuterRef("pk"))
        qs = (
            super()
            .get_queryset()
            .annotate(
                opt_out_count=Count("opt_outs"),
                has_opt_in=Exists(opt_ins.filter(status=OptIn.Status.CONFIRMED)),
                has_pending=Exists(opt_ins.filter(status=OptIn.Status.PENDING)),
            )
        )
        if phone := self.request.query_params.get("phone", "").strip():
            try:
                qs = qs.filter(phone=to_e164(phone.replace(" ", "+", 1)))
            except InvalidNumber:
                qs = qs.filter(phone=phone)
        return qs

    def perform_create(self, serializer: ContactSerializer) -> None:
        serializer.instance = contact_create(workspace=self.workspace, **serializer.validated_data)


class MessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Message
        fields = [
            "id",
            "direction",
            "source",
            "body",
            "status",
            "provider_sid",
            "error_code",
            "error_message",
            "segments",
            "encoding",
            "signature_applied",
            "warnings",
            "scheduled_for",
            "created_at",
            "updated_at",
        ]

    def to_representation(self, instance):
        # "from" is a Python keyword: both ends are added here rather than declared.
        data = super().to_representation(instance)
        number = instance.conversation.phone_number.number
        contact = instance.conversation.contact.phone
        data["from"], data["to"] = (
            (number, contact) if instance.direction == "outbound" else (contact, number)
        )
        return data


class SendSerializer(serializers.Serializer):
    to = serializers.CharField(max_length=40)
    body = serializers.CharField(max_length=MAX_BODY_LENGTH, trim_whitespace=False)
    when_closed = serializers.ChoiceField(
        choices=["refuse", "defer"],
        default="refuse",
        help_text="Outside the recipient's sending window: `refuse` (422 quiet_hours with "
        "retry_after) or `defer` (held, status `scheduled`, sent when the window opens).",
    )

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.CharField(max_length=40)
        return fields


class MessageList(WorkspaceScopedMixin, generics.ListCreateAPIView):
    """The workspace's messages, newest first. POST sends one through the send policy: a send
    the rules refuse answers 422 (opted out, quiet hours, blocked content)."""

    serializer_class = MessageSerializer
    api_errors = {
        "POST": (
            ErrorCode.INVALID_NUMBER,
            ErrorCode.UNKNOWN_SENDER_NUMBER,
            ErrorCode.INVALID_BODY,
            ErrorCode.BODY_TOO_LONG,
            ErrorCode.RECIPIENT_OPTED_OUT,
            ErrorCode.CONSENT_REQUIRED,
            ErrorCode.CONSENT_PENDING,
            ErrorCode.QUIET_HOURS,
            ErrorCode.CONTENT_BLOCKED,
        )
    }
    queryset = Message.objects.select_related(
        "conversation__contact", "conversation__phone_number"
    ).order_by("-created_at", "-id")

    @extend_schema(request=SendSerializer, responses={201: MessageSerializer})
    def post(self, request: Request) -> Response:
        data = SendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = message_send(
            workspace=self.workspace,
            from_number=data.validated_data["from"],
            to=data.validated_data["to"],
            body=data.validated_data["body"],
            source=MessageSource.API,
            when_closed=data.validated_data["when_closed"],
        )
        return Response(MessageSerializer(message).data, status=201)


class MessageDetail(WorkspaceScopedMixin, generics.RetrieveAPIView):
    """A message: its status, provider id and error, if any."""

    serializer_class = MessageSerializer
    queryset = Message.objects.select_related("conversation__contact", "conversation__phone_number")


class DeadLetterSerializer(serializers.ModelSerializer):
    to = serializers.CharField(source="phone_number.number", read_only=True)

    class Meta:
        model = InboundMessage
        fields = [
            "id",
            "message_sid",
            "from_number",
            "to",
            "body",
            "attempts",
            "last_error",
            "received_at",
            "dead_at",
        ]
        read_only_fields = fields


class DeadLetterList(WorkspaceScopedMixin, generics.ListAPIView):
    """Inbound texts that could not be processed after every attempt, with their last error."""

    serializer_class = DeadLetterSerializer
    queryset = (
        InboundMessage.objects.filter(dead_at__isnull=False, processed_at__isnull=True)
        .select_related("phone_number")
        .order_by("-dead_at", "-id")
    )


class DeadLetterRetry(WorkspaceScopedMixin, generics.GenericAPIView):
    """Queues a dead letter to be processed again (after its cause is fixed)."""

    serializer_class = DeadLetterSerializer
    queryset = DeadLetterList.queryset

    @extend_schema(request=None, responses={202: DeadLetterSerializer})
    def post(self, request: Request, pk: int) -> Response:
        inbound = self.get_object()
        dead_letter_retry(inbound=inbound)
        inbound.refresh_from_db()
        return Response(DeadLetterSerializer(inbound).data, status=202)


class RevocationReviewSerializer(serializers.ModelSerializer):
    contact = serializers.CharField(source="contact.phone", read_only=True)
    number = serializers.CharField(source="phone_number.number", read_only=True)
    resolved_by = serializers.CharField(source="resolved_by.email", default=None, read_only=True)

    class Meta:
        model = RevocationReview
        fields = [
            "id",
            "contact",
            "number",
            "body",
            "language",
            "why",
            "received_at",
            "due_at",
            "status",
            "decision",
            "reason",
            "resolved_by",
            "resolved_at",
        ]
        read_only_fields = fields


class ReviewDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=RevocationReview.Decision.choices)
    reason = serializers.CharField(max_length=1000, min_length=1)


class RevocationReviewList(WorkspaceScopedMixin, generics.ListAPIView):
    """Texts that may revoke consent, for a person to decide within ten business days of their
    arrival (open ones first, the most overdue first). `?status=open|resolved` filters."""

    serializer_class = RevocationReviewSerializer
    queryset = RevocationReview.objects.select_related(
        "contact", "phone_number", "resolved_by"
    ).order_by("-status", "due_at", "id")

    def get_queryset(self):
        qs = super().get_queryset()
        if status := self.request.query_params.get("status"):
            qs = qs.filter(status=status)
        return qs


class RevocationReviewResolve(WorkspaceScopedMixin, generics.GenericAPIView):
    """Decides a review: `opt_out` (the contact is opted out, source `revocation`, and the
    opt-out confirmed) or `not_revocation`; both in the ledger. Decided once: again → 409."""

    serializer_class = ReviewDecisionSerializer
    queryset = RevocationReview.objects.select_related("contact", "phone_number", "workspace")
    api_errors = {"POST": (ErrorCode.REVIEW_RESOLVED,)}

    @extend_schema(request=ReviewDecisionSerializer, responses={200: RevocationReviewSerializer})
    def post(self, request: Request, pk: int) -> Response:
        review = self.get_object()
        data = ReviewDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review_decide(
            review=review,
            decision=data.validated_data["decision"],
            reason=data.validated_data["reason"],
        )
        review.refresh_from_db()
        return Response(RevocationReviewSerializer(review).data)
