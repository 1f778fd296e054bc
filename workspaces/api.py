"""API of tenants: the workspace's phone numbers, and the fields the other apps' APIs share."""

from typing import Any

from rest_framework import generics, serializers

from compliance_center.errors import ErrorCode
from compliance_center.phone import InvalidNumber, to_e164

from . import services
from .models import PhoneNumber
from .tenancy import WorkspaceScopedMixin


class E164Field(serializers.CharField):
    """A phone number in any common format, stored as E.164; bad input is `invalid_number`."""

    def to_internal_value(self, data: Any) -> str:
        raw = super().to_internal_value(data)
        try:
            return to_e164(raw)
        except InvalidNumber as exc:
            raise serializers.ValidationError(str(exc), code="invalid_number") from exc


class RegistrationSerializer(serializers.Serializer):
    """Carrier registration: the number's kind and where its registration stands."""

    type = serializers.ChoiceField(
        source="number_type", choices=PhoneNumber.NumberType.choices, read_only=True
    )
    status = serializers.ChoiceField(
        source="registration_status", choices=PhoneNumber.Registration.choices
    )


class PhoneNumberSerializer(serializers.ModelSerializer):
    number = E164Field(max_length=40)
    registration = RegistrationSerializer(source="*", read_only=True)

    class Meta:
        model = PhoneNumber
        fields = [
            "id",
            "number",
            "label",
            "opt_out_confirmations",
            "registration",
            "messages_per_second",
            "created_at",
        ]
        extra_kwargs = {
            "messages_per_second": {
                "required": False,
                "min_value": 1,
                "max_value": 10000,
                "help_text": "Sends per second the carrier allows this number; every send from "
                "it is paced to it. Default by type: long code 1, toll-free 3, short code 100.",
            },
            "opt_out_confirmations": {
                "required": False,
                "help_text": "Who answers STOP/START/HELP on this number: `us`, or `carrier` "
                "(toll-free numbers and Twilio Advanced Opt-Out; the default for toll-free).",
            },
        }


class PhoneNumberList(WorkspaceScopedMixin, generics.ListCreateAPIView):
    """The workspace's phone numbers; POST adds one (a number belongs to one workspace)."""

    serializer_class = PhoneNumberSerializer
    api_errors = {"POST": (ErrorCode.INVALID_NUMBER, ErrorCode.NUMBER_TAKEN)}
    queryset = PhoneNumber.objects.all()

    def perform_create(self, serializer: PhoneNumberSerializer) -> None:
        serializer.instance = services.phone_number_add(
            workspace=self.workspace, via="api", **serializer.validated_data
        )
