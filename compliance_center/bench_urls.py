"""URLconf of the benchmark only (ROOT_URLCONF=compliance_center.bench_urls, set by bench/run.py).

Adds the one-INSERT reference view beside the real routes; production never selects this module.
"""

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from messaging.webhooks import EMPTY_TWIML

# The bench creates this plain table itself (bench/run.py); no model, no migration.
REFERENCE_TABLE = "bench_reference"


@csrf_exempt
@require_POST
def one_insert(request: HttpRequest) -> HttpResponse:
    """The floor a webhook is measured against: parse the form, one INSERT, answer TwiML."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {REFERENCE_TABLE} (payload) VALUES (%s)",  # noqa: S608 - constant name
            [request.POST.get("MessageSid", "")],
        )
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")


urlpatterns = [
    path("bench/one-insert/", one_insert, name="bench-one-insert"),
    path("", include("compliance_center.urls")),
]
