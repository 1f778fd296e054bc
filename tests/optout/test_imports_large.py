"""Large imports on PostgreSQL: a 200 MB file is streamed (memory stays flat: the peak of
Python allocations while it is imported is a few MB, not the file), and imported in chunks with
its progress; a file refused midway through its first reading writes nothing."""

import tracemalloc

import pytest
from django.core.files.uploadedfile import TemporaryUploadedFile

from optout.imports import services as imports
from optout.imports.models import Import
from workspaces.models import Contact

pytestmark = pytest.mark.services

ROWS = 20_000
NOTE = "n" * 10_000  # an ignored column: 20,000 rows of 10 kB make 200 MB


@pytest.fixture
def big_upload(tmp_path, settings):
    settings.IMPORT_DIR = str(tmp_path / "imports")
    upload = TemporaryUploadedFile("big.csv", "text/csv", 0, "utf-8")
    upload.write(b"phone,name,notes\n")
    for i in range(ROWS):
        upload.write(f"+1628{2_000_000 + i:07d},Person {i},{NOTE}\n".encode())
    upload.size = upload.tell()
    upload.seek(0)
    yield upload
    upload.close()


def test_a_200_mb_file_is_streamed_with_flat_memory(services_env, db, world, big_upload):
    assert big_upload.size > 200_000_000
    tracemalloc.start()
    job = imports.import_create(
        workspace=world.workspace,
        kind="contacts",
        upload=big_upload,
        mapping=["phone", "name", "ignore"],
    )
    while imports.import_process(import_id=job.pk, max_seconds=5).again:
        progress = Import.objects.get(pk=job.pk)
        assert 0 < progress.rows_done < ROWS == progress.rows_total  # resumable slices
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.created_count, job.error_count) == (
        "done",
        ROWS,
        ROWS,
        0,
    )
    assert Contact.objects.filter(workspace=world.workspace).count() == ROWS
    assert peak < 40 * 2**20, f"peak of Python allocations {peak / 2**20:.1f} MiB"


def test_a_file_broken_near_its_end_writes_nothing(services_env, db, world, tmp_path, settings):
    settings.IMPORT_DIR = str(tmp_path / "imports")
    upload = TemporaryUploadedFile("broken.csv", "text/csv", 0, "utf-8")
    upload.write(b"phone,name\n")
    for i in range(5000):
        upload.write(f"+1628{2_000_000 + i:07d},Person {i}\n".encode())
    upload.write(b'+16289999999,"never closed\n')
    upload.size = upload.tell()
    upload.seek(0)
    job = imports.import_create(workspace=world.workspace, kind="contacts", upload=upload)
    imports.import_process(import_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "Line 5002" in job.failure
    assert "Nothing was imported" in job.failure
    assert not Contact.objects.filter(workspace=world.workspace).exists()
