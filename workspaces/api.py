"""API of tenants: the workspace's phone numbers, and the fields the other apps' APIs share."""

from typing import Any

from rest_framework import generics, serializers

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


class PhoneNumberSerializer(serializers.ModelSerializer):
    number = E164Field(max_length=40)

    class Meta:
        model = PhoneNumber
        fields = ["id", "number", "label", "created_at"]


class PhoneNumberList(WorkspaceScopedMixin, generics.ListCreateAPIView):
    serializer_class = PhoneNumberSerializer
    queryset = PhoneNumber.objects.all()

    def perform_create(self, serializer: PhoneNumberSerializer) -> None:
        serializer.instance = services.phone_number_add(
            workspace=self.workspace, via="api", **serializer.validated_data
        )
