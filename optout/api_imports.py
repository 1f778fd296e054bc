"""API of imports: upload a CSV (`POST imports`, multipart), follow it (`GET imports/{id}`), and
download the refused rows (`GET imports/{id}/errors`, CSV)."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from compliance_center.errors import DomainError, ErrorCode
from compliance_center.phone import InvalidNumber, to_e164
from workspaces.selectors import workspace_number
from workspaces.tenancy import WorkspaceScopedMixin

from .exports import stream_csv
from .imports import services
from .imports.csvfile import KINDS
from .imports.models import Import, ImportRowError

ERRORS_SHOWN = 1000


class ImportInput(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True,
        help_text="The CSV: UTF-8 (or UTF-16 with its BOM, or "
        "Windows-1252), comma, semicolon, tab or pipe separated, a "
        "header row first.",
    )
    kind = serializers.ChoiceField(choices=list(KINDS))
    number = serializers.CharField(
        max_length=40,
        required=False,
        help_text="Block list: the workspace number the opt-outs are made on when the file "
        "has no `number` column; consent: the number it covers (default: the first one).",
    )
    mapping = serializers.ListField(
        child=serializers.CharField(max_length=80),
        required=False,
        help_text="A target per column, in order: phone, name, first_name, last_name, tags, "
        "consent_source, consent_date, consent_text, field:<name>, ignore (block list: phone, "
        "name, number, reason, ignore). Default: from the header's names.",
    )


class ImportSerializer(serializers.ModelSerializer):
    errors = serializers.SerializerMethodField(
        help_text=f"The first {ERRORS_SHOWN} refused rows: the header is line 1; "
        "`errors_total` counts them all, `GET imports/{id}/errors` downloads them all."
    )
    errors_total = serializers.IntegerField(source="error_count")
    created = serializers.IntegerField(source="created_count")
    updated = serializers.IntegerField(source="updated_count")
    unchanged = serializers.IntegerField(source="unchanged_count")
    consent_recorded = serializers.IntegerField(source="consent_count")

    class Meta:
        model = Import
        fields = [
            "id",
            "kind",
            "status",
            "filename",
            "size",
            "encoding",
            "delimiter",
            "header",
            "mapping",
            "rows_total",
            "rows_done",
            "created",
            "updated",
            "unchanged",
            "consent_recorded",
            "errors_total",
            "errors",
            "failure",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_errors(self, job: Import) -> list[dict[str, Any]]:
        return [
            {"line": line, "reason": reason}
            for line, reason in ImportRowError.objects.filter(job=job)
            .order_by("line")
            .values_list("line", "reason")[:ERRORS_SHOWN]
        ]


class ImportList(WorkspaceScopedMixin, generics.ListCreateAPIView):
    """The workspace's imports, newest first. POST uploads a CSV of contacts (phone, name, tags,
    custom fields, consent evidence: source, date, text shown) or of block-list entries
    (source `import`, a ledger event each) and answers 202 at once: the file is read by a task,
    every row accepted or reported with its line and reason. Re-importing a file changes
    nothing; an opted-out contact is never made texting-eligible."""

    serializer_class = ImportSerializer
    parser_classes = [MultiPartParser]
    api_errors = {
        "POST": (
            ErrorCode.INVALID_FILE,
            ErrorCode.INVALID_NUMBER,
            ErrorCode.UNKNOWN_SENDER_NUMBER,
        )
    }
    queryset = Import.objects.all()

    @extend_schema(request={"multipart/form-data": ImportInput}, responses={202: ImportSerializer})
    def post(self, request: Request) -> Response:
        data = ImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        number = None
        if raw := data.validated_data.get("number"):
            try:
                e164 = to_e164(raw)
            except InvalidNumber as exc:
                raise DomainError(ErrorCode.INVALID_NUMBER, str(exc), field="number") from exc
            number = workspace_number(self.workspace.pk, e164)
            if number is None:
                raise DomainError(
                    ErrorCode.UNKNOWN_SENDER_NUMBER,
                    f"{e164} is not a phone number of this workspace.",
                    field="number",
                )
        job = services.import_create(
            workspace=self.workspace,
            kind=data.validated_data["kind"],
            upload=data.validated_data["file"],
            mapping=data.validated_data.get("mapping"),
            phone_number=number,
        )
        return Response(ImportSerializer(job).data, status=202)


class ImportDetail(WorkspaceScopedMixin, generics.RetrieveAPIView):
    """An import: `status` (queued, running, done, failed), `rows_done` of `rows_total`, and the
    rows refused with their line (the header is line 1) and reason."""

    serializer_class = ImportSerializer
    queryset = Import.objects.all()


class ImportErrors(WorkspaceScopedMixin, generics.GenericAPIView):
    """Every row an import refused, as a CSV download: line, reason."""

    queryset = Import.objects.all()
    serializer_class = ImportSerializer

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request: Request, pk: int) -> Any:
        job = self.get_object()
        return stream_csv(
            f"import-{job.pk}-errors.csv", ["line", "reason"], services.error_rows(job)
        )
