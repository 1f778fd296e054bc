"""API of messaging: contacts and messages (sends go through the one send service)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from compliance_center.errors import DomainError, ErrorCode
from compliance_center.phone import InvalidNumber, country_of, to_e164
from compliance_center.segments import MAX_BODY_LENGTH
from optout.models import RevocationReview
from optout.sending_rules import is_valid_timezone
from workspaces.api import E164Field
from workspaces.contact_fields import clean_fields
from workspaces.models import Contact
from workspaces.services import contact_create
from workspaces.tagging import tags_of
from workspaces.tenancy import WorkspaceScopedMixin

from .contacts import CONSENT_STATES, ContactFilter, consent_summary, contact_rows
from .models import InboundMessage, Message, MessageSource
from .services.inbound import dead_letter_retry
from .services.outbound import message_send
from .services.reviews import review_decide


class ContactSerializer(serializers.ModelSerializer):
    phone = E164Field(max_length=40)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, max_length=50
    )
    fields = serializers.DictField(
        child=serializers.CharField(max_length=500, allow_blank=True),
        required=False,
        help_text='Custom fields, text values (`{"city": "Lyon"}`): merge fields of broadcasts.',
    )
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
            "tags",
            "fields",
            "opted_out",
            "consent_status",
            "time_zone",
            "country",
            "created_at",
        ]

    def validate_fields(self, value: dict) -> dict:
        try:
            return clean_fields(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from exc

    def get_opted_out(self, contact) -> bool:
        return bool(getattr(contact, "is_opted_out", False))

    def get_consent_status(self, contact: Contact) -> str:
        return consent_summary(contact)

    def get_country(self, contact: Contact) -> str:
        return country_of(contact.phone)

    def validate_time_zone(self, value: str) -> str:
        value = value.strip()
        if value and not is_valid_timezone(value):
            raise serializers.ValidationError(
                f"{value!r} is not a time zone (e.g. America/New_York).", code="invalid"
            )
        return value

    def to_representation(self, instance):
        data = super().to_representation(instance)
        tags = self.context.get("tags")
        data["tags"] = (
            tags.get(instance.pk, [])
            if tags is not None
            else tags_of([instance.pk]).get(instance.pk, [])
        )
        return data


CONTACT_FILTERS = [
    OpenApiParameter(
        "q", OpenApiTypes.STR, description="A name contains it, or a number its digits."
    ),
    OpenApiParameter("phone", OpenApiTypes.STR, description="Exactly this number (any format)."),
    OpenApiParameter("tag", OpenApiTypes.STR, description="Contacts carrying this tag."),
    OpenApiParameter("consent", OpenApiTypes.STR, enum=list(CONSENT_STATES)),
    OpenApiParameter("opted_out", OpenApiTypes.BOOL),
    OpenApiParameter(
        "after",
        OpenApiTypes.INT,
        description="Keyset paging: contacts with an id above this one (ids grow with creation).",
    ),
]


class ContactList(WorkspaceScopedMixin, generics.ListCreateAPIView):
    """The workspace's contacts, oldest first (by id), with their tags, custom fields and
    consent; filter by `q`, `phone`, `tag`, `consent`, `opted_out`, and page with `after` (the
    last id seen) at any depth. POST adds one."""

    serializer_class = ContactSerializer
    api_errors = {"POST": (ErrorCode.INVALID_NUMBER, ErrorCode.CONTACT_EXISTS)}
    queryset = Contact.objects.all()

    def _filters(self) -> tuple[ContactFilter, int | None]:
        params = self.request.query_params
        # An unencoded "+" in a query string arrives as a space: "?phone= 14155550100".
        phone = params.get("phone", "")
        phone = ("+" + phone.lstrip()) if phone.startswith(" ") else phone.strip()
        if phone:
            try:
                phone = to_e164(phone)
            except InvalidNumber as exc:
                raise DomainError(ErrorCode.INVALID_NUMBER, str(exc), field="phone") from exc
        opted_out = params.get("opted_out", "").strip().lower()
        if opted_out not in ("", "true", "false", "1", "0"):
            raise DomainError(ErrorCode.INVALID, "opted_out is true or false.", field="opted_out")
        consent = params.get("consent", "").strip()
        if consent and consent not in CONSENT_STATES:
            raise DomainError(
                ErrorCode.INVALID_CHOICE,
                f"consent is one of {', '.join(CONSENT_STATES)}.",
                field="consent",
            )
        after = params.get("after", "").strip()
        if after and (not after.isdigit() or len(after) > 18):
            raise DomainError(ErrorCode.INVALID, "after is a contact id.", field="after")
        tag = params.get("tag", "")[:64]
        filters = ContactFilter(
            q=params.get("q", "")[:60],
            phone=phone,
            tag=tag if tag.strip() else "",
            consent=consent,
            opted_out=None if not opted_out else opted_out in ("true", "1"),
        )
        return filters, int(after) if after else None

    def get_queryset(self):
        filters, after = self._filters()
        qs = contact_rows(workspace=self.workspace, filters=filters)
        return qs.filter(id__gt=after) if after is not None else qs

    @extend_schema(parameters=CONTACT_FILTERS)
    def get(self, request: Request, *args, **kwargs) -> Response:
        """The workspace's contacts, oldest first (by id), with their tags, custom fields and
        consent; filter by `q`, `phone`, `tag`, `consent`, `opted_out`, and page with `after`
        (the last id seen) at any depth."""
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        rows = page if page is not None else []
        context = {**self.get_serializer_context(), "tags": tags_of(c.pk for c in rows)}
        data = ContactSerializer(rows, many=True, context=context).data
        return self.get_paginated_response(data)

    def post(self, request: Request, *args, **kwargs) -> Response:
        """Adds a contact, with its tags and custom fields."""
        return self.create(request, *args, **kwargs)

    def perform_create(self, serializer: ContactSerializer) -> None:
        serializer.instance = contact_create(workspace=self.workspace, **serializer.validated_data)
        serializer.instance = contact_rows(
            workspace=self.workspace, filters=ContactFilter(phone=serializer.instance.phone)
        ).get()


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
