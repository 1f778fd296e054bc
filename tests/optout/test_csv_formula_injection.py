"""CSV exports never hand a spreadsheet a live formula (OWASP "CSV Injection").

A contact's text, an agent's reason or a contact's name that starts with `=`, `+`, `-`, `@`, a
tab or a carriage return is written with a leading `'`, in every CSV the product writes (the
block list and consent ledger pages, the API's `?format=csv`). A cell that is a plain number (the
E.164 phone numbers) is written as it is.
"""

import csv
import io
import re

import pytest

from workspaces.models import Contact

pytestmark = pytest.mark.django_db

FORMULA_BODY = "=STOP()"
FORMULA_REASON = '=HYPERLINK("http://evil","x")'
FORMULA_NAME = "@SUM(1+1)"
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(content)))


def _no_live_formula(rows: list[dict[str, str]]) -> None:
    """No cell starts with a trigger, except plain numbers (the E.164 phone numbers)."""
    for row in rows:
        for value in row.values():
            assert not value.startswith(TRIGGERS) or re.fullmatch(r"[+-][0-9]+", value), row


@pytest.fixture
def formulas(world, client, text_in):
    """A contact opted out by texting a formula, another opted out by an admin with a formula
    as the reason, and a contact whose name is a formula."""
    text_in(FORMULA_BODY, from_="+14155550123")
    assert client.login(username="admin@acme.test", password="pw-admin-1")
    response = client.post(
        "/compliance/block-list/opt-out/",
        {"contact": "+14155550177", "phone_number": world.number_b.pk, "reason": FORMULA_REASON},
    )
    assert response.status_code == 302, response.content
    Contact.objects.filter(workspace=world.workspace, phone="+14155550177").update(
        name=FORMULA_NAME
    )
    return client


def test_block_list_csv_neutralises_formulas_and_keeps_numbers(formulas, world):
    rows = {r["contact"]: r for r in _rows(formulas.get("/compliance/block-list.csv"))}
    assert set(rows) == {"+14155550123", "+14155550177"}  # E.164 numbers untouched
    assert rows["+14155550123"]["message"] == "'" + FORMULA_BODY
    assert rows["+14155550123"]["phone_number"] == world.number_a.number
    assert rows["+14155550177"]["reason"] == "'" + FORMULA_REASON
    assert rows["+14155550177"]["name"] == "'" + FORMULA_NAME
    assert rows["+14155550177"]["phone_number"] == world.number_b.number
    _no_live_formula(list(rows.values()))


def test_consent_ledger_csv_page_neutralises_formulas(formulas, world):
    rows = _rows(formulas.get("/compliance/consent-ledger.csv"))
    by_contact = {r["contact"]: r for r in rows}
    assert set(by_contact) == {"+14155550123", "+14155550177"}
    assert by_contact["+14155550123"]["message_body"] == "'" + FORMULA_BODY
    assert by_contact["+14155550177"]["reason"] == "'" + FORMULA_REASON
    assert by_contact["+14155550123"]["phone_number"] == world.number_a.number
    # Two numbers in one cell are not a plain number: a spreadsheet would add them up.
    numbers = f"{world.number_a.number} {world.number_b.number}"
    assert by_contact["+14155550123"]["numbers"] == "'" + numbers
    _no_live_formula(rows)


def test_consent_events_api_csv_neutralises_formulas(formulas, api):
    rows = _rows(api.get("/api/v1/consent-events", {"format": "csv"}))
    by_contact = {r["contact"]: r for r in rows}
    assert set(by_contact) == {"+14155550123", "+14155550177"}
    assert by_contact["+14155550123"]["message_body"] == "'" + FORMULA_BODY
    assert by_contact["+14155550177"]["reason"] == "'" + FORMULA_REASON
    _no_live_formula(rows)
    # The JSON answer is the data as stored: only the CSV is for spreadsheets.
    data = api.get("/api/v1/consent-events").json()["results"]
    assert {e["message_body"] for e in data} >= {FORMULA_BODY}
