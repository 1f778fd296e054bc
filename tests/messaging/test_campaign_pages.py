"""The pages of contacts, imports and broadcasts through Django's client: the Contacts list with
its filters and keyset pages, the import wizard (upload, mapping with a preview, progress), the
composer's preview, a broadcast's page with pause / resume / cancel and its report; and every
route with an id answers 404 for another workspace's object."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from messaging.broadcasts import services as broadcasts
from messaging.broadcasts.models import Broadcast
from optout.imports.models import Import
from optout.imports.services import import_create
from tests.support.pages import csv_rows, text
from tests.support.world import NUMBER_A
from workspaces.models import Contact
from workspaces.tagging import contact_tags_set

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _imports_dir(settings, tmp_path):
    settings.IMPORT_DIR = str(tmp_path / "imports")


def _contacts(world, n, tag="club"):
    for i in range(n):
        contact = Contact.objects.create(
            workspace=world.workspace, phone=f"+1415555{1000 + i:04d}", name=f"Person {i:02d}"
        )
        contact_tags_set(contact=contact, names=[tag])


def test_contacts_page_filters_and_pages_by_id(as_admin, world):
    _contacts(world, 60)
    Contact.objects.create(workspace=world.workspace, phone="+14155559999", name="Untagged")
    first = as_admin.get(reverse("contacts"), {"tag": "club"})
    assert first.status_code == 200
    page = text(first)
    assert "Person 00" in page and "Person 49" in page and "Person 50" not in page
    assert "Untagged" not in page
    next_url = first.content.decode().split('id="page-next" href="')[1].split('"')[0]
    second = as_admin.get(reverse("contacts") + next_url.replace("&amp;", "&"))
    assert "Person 50" in text(second) and "Person 59" in text(second)
    assert "Person 00" not in text(second)
    assert "Untagged" in text(as_admin.get(reverse("contacts"), {"q": "untag"}))


def test_import_wizard_maps_previews_and_imports(
    as_admin, world, django_capture_on_commit_callbacks
):
    content = b"Mobile;Full name;Favourite colour\n+14155550901;Ada;blue\nxyz;Bad;red\n"
    response = as_admin.post(
        reverse("import-upload"),
        {"kind": "contacts", "file": SimpleUploadedFile("people.csv", content)},
    )
    assert response.status_code == 302
    job = Import.objects.get()
    mapping_page = as_admin.get(response["Location"])
    body = text(mapping_page)
    assert job.status == "draft" and "Ada" in body and "blue" in body
    assert 'value="field:favourite_colour" selected' in mapping_page.content.decode()
    bad = as_admin.post(response["Location"], {"col0": "name", "col1": "name", "col2": "ignore"})
    assert bad.status_code == 400 and "Two columns" in text(bad)
    with django_capture_on_commit_callbacks(execute=True):
        started = as_admin.post(
            response["Location"], {"col0": "phone", "col1": "name", "col2": "field:colour"}
        )
    assert started.status_code == 302
    done = text(as_admin.get(reverse("import-live", args=[job.pk])))
    assert "Imported" in done and "2 of 2 rows" in done and "invalid number" in done
    assert Contact.objects.get(phone="+14155550901").fields == {"colour": "blue"}
    errors = csv_rows(as_admin.get(reverse("import-errors-csv", args=[job.pk])))
    assert errors == [["line", "reason"], ["3", "invalid number: 'xyz'"]]


def test_composer_preview_and_send(as_admin, world, django_capture_on_commit_callbacks):
    _contacts(world, 3)
    form = {
        "senders": [world.number_a.pk],
        "body": "Hi {first_name|there}",
        "audience": "tag",
        "tag": "club",
    }
    preview = text(as_admin.post(reverse("broadcast-preview"), form))
    assert "Eligible 3" in preview and "Hi Person" in preview and "1 segment" in preview
    problem = text(as_admin.post(reverse("broadcast-preview"), {**form, "body": "Hi {nope}"}))
    assert "not a merge field" in problem
    with django_capture_on_commit_callbacks(execute=True):
        response = as_admin.post(reverse("broadcast-new"), form)
    assert response.status_code == 302
    broadcast = Broadcast.objects.get()
    page = as_admin.get(response["Location"])
    assert "Sending" in text(page) or "Done" in text(page)
    report = csv_rows(as_admin.get(reverse("broadcast-report-csv", args=[broadcast.pk])))
    assert report[0][:3] == ["phone", "name", "status"] and len(report) == 4


def test_pause_resume_cancel_from_the_page(as_admin, world):
    _contacts(world, 2)
    broadcast = broadcasts.broadcast_create(
        workspace=world.workspace,
        from_=NUMBER_A,
        body="Hello",
        audience={"tag": "club"},
        send_at=None,
    )
    url = reverse("broadcast-detail", args=[broadcast.pk])
    assert as_admin.post(url, {"action": "pause"}).status_code == 302
    assert Broadcast.objects.get().status == "paused"
    assert as_admin.post(url, {"action": "resume"}).status_code == 302
    assert as_admin.post(url, {"action": "cancel"}).status_code == 302
    refused = as_admin.post(url, {"action": "pause"})
    assert refused.status_code == 409 and "cannot be paused" in text(refused)


def test_agents_see_contacts_not_broadcasts(as_agent, world):
    assert as_agent.get(reverse("contacts")).status_code == 200
    assert as_agent.get(reverse("broadcasts")).status_code == 403
    assert as_agent.get(reverse("import-upload")).status_code == 403


ID_ROUTES = {
    "import-detail": "import",
    "import-live": "import",
    "import-errors-csv": "import",
    "broadcast-detail": "broadcast",
    "broadcast-live": "broadcast",
    "broadcast-report-csv": "broadcast",
    "api-broadcast": "broadcast",
    "api-broadcast-pause": "broadcast",
    "api-broadcast-resume": "broadcast",
    "api-broadcast-cancel": "broadcast",
    "api-broadcast-recipients": "broadcast",
    "api-import": "import",
    "api-import-errors": "import",
}


@pytest.mark.parametrize("name", sorted(ID_ROUTES))
def test_another_workspaces_id_answers_404(name, as_admin, api, world, other_world):
    Contact.objects.create(workspace=other_world.workspace, phone="+14155550166")
    foreign = {
        "broadcast": broadcasts.broadcast_create(
            workspace=other_world.workspace,
            from_=other_world.phone_number.number,
            body="Theirs",
            audience={"all": True},
            send_at=None,
        ),
        "import": import_create(
            workspace=other_world.workspace,
            kind="contacts",
            upload=SimpleUploadedFile("x.csv", b"phone\n+14155550166\n"),
        ),
    }[ID_ROUTES[name]]
    url = reverse(name, kwargs={"pk": foreign.pk})
    client = api if name.startswith("api-") else as_admin
    answers = {client.get(url).status_code, client.post(url, {"action": "cancel"}).status_code}
    assert answers <= {404, 405} and 404 in answers, answers
    foreign.refresh_from_db()
    assert foreign.status in ("scheduled", "queued", "running", "done")
