"""The seed_demo management command."""

from io import StringIO

import pytest
from django.core.management import call_command

from workspaces.models import Workspace

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_seed_demo_is_idempotent():
    run("seed_demo")
    run("seed_demo")
    workspace = Workspace.objects.get(slug="demo")
    assert workspace.phone_numbers.count() == 2
    assert workspace.contacts.count() == 4
    assert workspace.memberships.count() == 2
