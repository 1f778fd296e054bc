"""API of messaging: contacts and messages (sends go through the one send service)."""

from django.db.models import Count
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from compliance_center.api_errors import ApiError
from workspaces.api import E164Field, WorkspaceScopedMixin

from . import services
from .models import Contact, Message, MessageSource


class ContactSerializer(serializers.ModelSerializer):
    phone = E164Field(max_length=40)
    opted_out = serializers.SerializerMethodField()

    class Meta:
        model = Contact
        fields = ["id", "phone", "name", "opted_out", "created_at"]

    def get_opted_out(self, contact) -> bool:
        return bool(getattr(contact, "opt_out_count", 0))


class ContactList(WorkspaceScopedMixin, generics.ListCreateAPIView):
    serializer_class = ContactSerializer

    def get_queryset(self):
        return Contact.objects.filter(workspace=self.workspace).annotate(
            opt_out_count=Count("opt_outs")
        )

    def perform_create(self, serializer):
        phone = serializer.validated_data["phone"]
        if Contact.objects.filter(workspace=self.workspace, phone=phone).exists():
            raise ApiError("contact_exists", f"{phone} is already a contact.", 409)
        serializer.save(workspace=self.workspace)


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
    body = serializers.CharField(max_length=1600, trim_whitespace=False)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.CharField(max_length=40)
        return fields


class MessageList(WorkspaceScopedMixin, generics.ListCreateAPIView):
    serializer_class = MessageSerializer

    def get_queryset(self):
        return (
            Message.objects.filter(workspace=self.workspace)
            .select_related("conversation__contact", "conversation__phone_number")
            .order_by("-created_at", "-id")
        )

    @extend_schema(request=SendSerializer, responses={201: MessageSerializer})
    def post(self, request):
        data = SendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            message = services.message_send(
                workspace=self.workspace,
                from_number=data.validated_data["from"],
                to=data.validated_data["to"],
                body=data.validated_data["body"],
                source=MessageSource.API,
            )
        except services.SendRefused as exc:
            raise ApiError(exc.code, exc.detail, exc.status) from exc
        return Response(MessageSerializer(message).data, status=201)


class MessageDetail(WorkspaceScopedMixin, generics.RetrieveAPIView):
    serializer_class = MessageSerializer

    def get_queryset(self):
        return Message.objects.filter(workspace=self.workspace).select_related(
            "conversation__contact", "conversation__phone_number"
        )
