"""Imports of contacts and block lists through `POST imports`, tasks run eagerly: every row
accepted or reported with its line (the header is line 1) and reason, consent evidence recorded
by the bulk path with the one-contact rules, block-list rows made opt-outs with a ledger event
each, re-importing changes nothing, and the bad files of the issue."""

import codecs

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from optout import services as consent
from optout.models import ConsentEvent, OptIn, OptOut
from tests.support.world import NUMBER_A, NUMBER_B
from workspaces.models import Contact, ContactTag

pytestmark = pytest.mark.django_db

CONTACTS_CSV = (
    "Phone,First name,Last name,Tags,City,Consent source,Consent date,Consent text\n"
    "(415) 555-0401,Ada,Lovelace,VIP;club,London,web_form,2025-03-01,Yes text me offers\n"
    "+14155550402,Grace,Hopper,club,,,,\n"
    "not a number,Bad,Row,,,,,\n"
    "415-555-0401,Ada,Again,,,,,\n"
    "+14155550403,Alan,Turing,,,fax,2025-03-01,Said yes\n"
    "+14155550404,Opted,Out,,,paper_form,2025-03-01,Signed the card\n"
)


@pytest.fixture
def upload(api, world, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.IMPORT_DIR = str(tmp_path / "imports")

    def _upload(content, kind="contacts", name="contacts.csv", **extra):
        data = content if isinstance(content, bytes) else content.encode()
        with django_capture_on_commit_callbacks(execute=True):
            response = api.post(
                "/api/v1/imports",
                {"file": SimpleUploadedFile(name, data, "text/csv"), "kind": kind, **extra},
                format="multipart",
            )
        if response.status_code != 202:
            return response
        return api.get(f"/api/v1/imports/{response.json()['id']}")

    return _upload


def test_a_contacts_file_with_consent_evidence(upload, world):
    consent.opt_out_api(
        workspace=world.workspace, contact_phone="+14155550404", phone_number=world.number_a
    )
    job = upload(CONTACTS_CSV).json()
    assert job["status"] == "done", job
    assert (job["rows_total"], job["rows_done"]) == (6, 6)
    assert job["errors"] == [
        {"line": 4, "reason": "invalid number: 'not a number'"},
        {"line": 5, "reason": "duplicate in file: same number as line 2"},
        {
            "line": 6,
            "reason": "unknown consent source 'fax': one of web_form, paper_form, "
            "verbal, api, import",
        },
        {
            "line": 7,
            "reason": "opted out: consent not recorded (only the contact's own START "
            "lifts an opt-out)",
        },
    ]
    ada = Contact.objects.get(workspace=world.workspace, phone="+14155550401")
    assert (ada.name, ada.fields) == ("Ada Lovelace", {"city": "London"})
    assert set(ContactTag.objects.filter(contact=ada).values_list("tag__name", flat=True)) == {
        "vip",
        "club",
    }
    [opt_in] = OptIn.objects.filter(contact=ada)
    assert (opt_in.status, opt_in.source) == ("confirmed", "web_form")
    assert "Yes text me offers" in opt_in.evidence
    assert job["consent_recorded"] == 1 and job["created"] == 2  # 0404 existed
    # The opted-out contact stays opted out and gets no consent.
    assert not OptIn.objects.filter(contact__phone="+14155550404").exists()
    assert OptOut.objects.filter(contact__phone="+14155550404").exists()


def test_reimporting_the_same_file_changes_nothing(upload, world):
    upload(CONTACTS_CSV)
    before = (
        Contact.objects.count(),
        ContactTag.objects.count(),
        ConsentEvent.objects.count(),
        list(Contact.objects.order_by("id").values_list("name", "fields")),
    )
    job = upload(CONTACTS_CSV).json()
    assert job["status"] == "done" and job["created"] == 0 and job["updated"] == 0
    assert job["unchanged"] == 3 and job["consent_recorded"] == 0
    after = (
        Contact.objects.count(),
        ContactTag.objects.count(),
        ConsentEvent.objects.count(),
        list(Contact.objects.order_by("id").values_list("name", "fields")),
    )
    assert after == before


def test_a_block_list_makes_opt_outs_with_a_ledger_event_each(upload, world):
    csv_text = (
        "number;phone;reason\n"
        f"{NUMBER_B};+14155550501;Asked by email\n"
        ";+14155550502;\n"
        "+14155550177;+14155550503;\n"
        ";12;\n"
    )
    job = upload(csv_text, kind="block_list", name="block.csv").json()
    assert job["status"] == "done", job
    assert job["delimiter"] == ";" and job["created"] == 2
    assert [e["line"] for e in job["errors"]] == [4, 5]
    assert job["errors"][0]["reason"].startswith("unknown number")
    rows = {o.contact.phone: o for o in OptOut.objects.select_related("contact", "phone_number")}
    assert set(rows) == {"+14155550501", "+14155550502"}
    assert rows["+14155550501"].phone_number.number == NUMBER_B
    assert rows["+14155550502"].phone_number.number == NUMBER_A  # the default number
    assert {o.source for o in rows.values()} == {"import"}
    events = ConsentEvent.objects.filter(kind="opt_out", source="import")
    assert events.count() == 2
    assert events.get(contact__phone="+14155550501").reason == "Asked by email"
    again = upload(csv_text, kind="block_list", name="block.csv").json()
    assert again["created"] == 0 and again["unchanged"] == 2
    assert ConsentEvent.objects.count() == 2


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        (codecs.BOM_UTF8 + "phone,name\n+14155550601,Zoë\n".encode(), "utf-8-sig"),
        ("phone,name\n+14155550601,Zoë\n".encode("utf-16"), "utf-16"),
        ("phone,name\n+14155550601,Zoë\n".encode("cp1252"), "cp1252"),
    ],
    ids=["bom", "utf-16", "windows-1252"],
)
def test_encodings(upload, world, encoded, encoding):
    job = upload(encoded).json()
    assert (job["status"], job["encoding"], job["errors"]) == ("done", encoding, [])
    assert Contact.objects.get(phone="+14155550601").name == "Zoë"


def test_quoted_newlines_keep_the_files_line_numbers(upload, world):
    job = upload(
        'phone,name,notes\n+14155550701,"Ada\nLovelace","a\n\nb"\nnope,x,y\n'
        '+14155550702,"Quoted, comma ""and quotes""",z\n'
    ).json()
    assert job["errors"] == [{"line": 6, "reason": "invalid number: 'nope'"}]
    assert Contact.objects.get(phone="+14155550701").name == "Ada\nLovelace"
    assert Contact.objects.get(phone="+14155550702").name == 'Quoted, comma "and quotes"'


def test_ten_thousand_bad_rows_are_each_reported(upload, api, world):
    lines = ["phone,name"] + [f"bad{i},x" for i in range(10_000)] + ["+14155550801,Fine"]
    job = upload("\n".join(lines) + "\n").json()
    assert job["status"] == "done" and job["errors_total"] == 10_000
    assert len(job["errors"]) == 1000 and job["errors"][0]["line"] == 2
    report = api.get(f"/api/v1/imports/{job['id']}/errors")
    rows = b"".join(report.streaming_content).decode().splitlines()
    assert rows[0] == "line,reason" and len(rows) == 10_001
    assert rows[-1].startswith("10001,")
    assert Contact.objects.filter(phone="+14155550801").exists()


def test_an_unclosed_quote_fails_the_file_and_imports_nothing(upload, world):
    job = upload('phone,name\n+14155550901,Ada\n+14155550902,"Grace\n' + "x" * 10).json()
    # Read whole before anything is written: the file is refused, and says where.
    assert job["status"] == "failed" and job["rows_done"] == 0
    assert "Line 3" in job["failure"] and "Nothing was imported" in job["failure"]
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    ("content", "words"),
    [(b"", "empty"), (b"\x00\x01\x02binary\x00", "not a text file")],
)
def test_files_that_are_not_csv_are_refused(upload, content, words):
    response = upload(content)
    assert response.status_code == 400 and response.json()["code"] == "invalid_file"
    assert words in response.json()["detail"]
    assert "file" in response.json()["fields"]


def test_a_mapping_is_checked(upload):
    response = upload("a,b\n1,2\n")
    assert response.status_code == 400 and response.json()["fields"]["mapping"]
    ok = upload("a,b\n+14155550111,Ada\n", mapping=["phone", "name"]).json()
    assert ok["status"] == "done" and Contact.objects.get(phone="+14155550111").name == "Ada"


def test_another_workspaces_import_answers_404(api, world, other_world, tmp_path, settings):
    from optout.imports.services import import_create

    settings.IMPORT_DIR = str(tmp_path)
    job = import_create(
        workspace=other_world.workspace,
        kind="contacts",
        upload=SimpleUploadedFile("x.csv", b"phone\n+14155550166\n"),
    )
    assert api.get(f"/api/v1/imports/{job.pk}").status_code == 404
    assert api.get(f"/api/v1/imports/{job.pk}/errors").status_code == 404
    assert api.get("/api/v1/imports").json()["results"] == []
