"""One format for phone numbers and dates on every page: national for the workspace's country
(E.164 in the title and when copied), dates in the workspace's time zone with the zone shown;
data (CSV, API) keeps E.164 and ISO 8601."""

from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.utils import timezone

from compliance_center.dates import when_text
from compliance_center.phone import display_region, formatted, pretty
from optout import services as consent
from tests.support.pages import csv_rows
from workspaces import services
from workspaces.models import Contact
from workspaces.selectors import display_region as workspace_region


def test_numbers_of_the_display_country_are_national_others_international():
    assert formatted("+14155550100", "US") == "(415) 555-0100"
    assert formatted("+442079460958", "US") == "+44 20 7946 0958"
    assert formatted("+442079460958", "GB") == "020 7946 0958"
    assert formatted("+14155550100") == "+1 415-555-0100"  # no country: international
    assert formatted("SHOP") == "SHOP" and formatted("72345") == "72345"
    with display_region("US"):
        assert pretty("+14155550100") == "(415) 555-0100"
    assert pretty("+14155550100") == "+1 415-555-0100"  # outside a page (API, tasks)


def test_the_phone_filter_keeps_e164_in_the_title_and_for_copying():
    rendered = Template("{% load display %}{{ n|phone }}|{{ s|phone }}")
    with display_region("US"):
        html = rendered.render(Context({"n": "+14155550100", "s": "<b>SHOP</b>"}))
    assert html == (
        '<span class="tel" title="+14155550100" data-e164="+14155550100">(415) 555-0100</span>'
        "|&lt;b&gt;SHOP&lt;/b&gt;"
    )


def test_dates_read_in_the_active_zone_with_the_zone_shown():
    instant = datetime(2025, 1, 15, 7, 5, tzinfo=UTC)
    with timezone.override("America/Los_Angeles"):
        assert when_text(instant) == "Jan 14, 2025, 23:05 PST"
        assert when_text(instant, "date") == "Jan 14, 2025"
        html = Template("{% load display %}{{ t|when }}").render(Context({"t": instant}))
    assert 'datetime="2025-01-14T23:05:00-08:00"' in html
    assert 'title="Tuesday, January 14, 2025, 23:05 (America/Los_Angeles)"' in html
    this_year = timezone.now().replace(month=6, day=1, hour=12, minute=0)
    with timezone.override("UTC"):
        assert when_text(this_year) == "Jun 1, 12:00 UTC"  # no year: it is this one


@pytest.mark.django_db
def test_a_workspace_shows_its_first_numbers_country(world):
    assert workspace_region(world.workspace) == "US"
    london = services.workspace_create(name="London")
    assert workspace_region(london) == "US"  # no number yet
    services.phone_number_add(workspace=london, number="+442079460958")
    services.phone_number_add(workspace=london, number="+14155550150")
    assert workspace_region(london) == "GB"


@pytest.mark.django_db
def test_pages_show_national_numbers_and_local_dates_csv_keeps_data_formats(as_admin, world):
    services.workspace_update(workspace=world.workspace, time_zone="America/New_York")
    contact = Contact.objects.create(workspace=world.workspace, phone="+14155550123", name="Ada")
    consent.opt_out_record(
        workspace=world.workspace, contact=contact, phone_number=world.number_a, source="api"
    )
    page = as_admin.get("/compliance/block-list/").content.decode()
    assert 'title="+14155550123" data-e164="+14155550123">(415) 555-0123</span>' in page
    assert "+14155550123</td>" not in page and "+1 415-555-0123" not in page
    assert " EST</time>" in page or " EDT</time>" in page
    rows = csv_rows(as_admin.get("/compliance/block-list.csv"))
    header, row = rows[0], rows[1]
    assert row[header.index("contact")] == "+14155550123"
    assert row[header.index("opted_out_at")].endswith(("-05:00", "-04:00"))
    ledger = csv_rows(as_admin.get("/compliance/consent-ledger.csv"))
    assert ledger[1][ledger[0].index("created_at")].endswith(("-05:00", "-04:00"))
