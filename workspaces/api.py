"""API of tenants: the workspace's phone numbers."""

from rest_framework import generics, serializers

from compliance_center.api_errors import ApiError
from messaging.phone import InvalidNumber, to_e164

from . import services
from .models import PhoneNumber


class E164Field(serializers.CharField):
    """A phone number in any common format, stored as E.164; bad input is `invalid_number`."""

    def to_internal_value(self, data):
        raw = super().to_internal_value(data)
        try:
            return to_e164(raw)
        except InvalidNumber as exc:
            raise serializers.ValidationError(str(exc), code="invalid_number") from exc


class WorkspaceScopedMixin:
    """Every query of an API view starts from the token's workspace."""

    @property
    def workspace(self):
        return self.request.workspace


class PhoneNumberSerializer(serializers.ModelSerializer):
    number = E164Field(max_length=40)

    class Meta:
        model = PhoneNumber
        fields = ["id", "number", "label", "created_at"]


class PhoneNumberList(WorkspaceScopedMixin, generics.ListCreateAPIView):
    serializer_class = PhoneNumberSerializer

    def get_queryset(self):
        return PhoneNumber.objects.filter(workspace=self.workspace)

    def perform_create(self, serializer):
        try:
            serializer.instance = services.phone_number_add(
                workspace=self.workspace, **serializer.validated_data
            )
        except services.NumberTaken as exc:
            raise ApiError("number_taken", str(exc), 409) from exc
