"""URLconf of the benchmark only (ROOT_URLCONF of bench/settings.py): the one-INSERT reference
view beside the product's routes. The product's own settings never route it."""

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

# The bench creates this plain table itself (bench/seeding.py); no model, no migration.
REFERENCE_TABLE = "bench_reference"
# What the webhook answers too: an empty TwiML response (kept here, not imported from the
# product, so that the reference loads no product module).
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


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
