"""Test-wide defaults that belong to no one test folder (tests/conftest.py has the fixtures).

CRM notifications: the tests' CRMs are loopback servers over http (tests/support/crm_receiver.py),
which production refuses (settings.CRM_ALLOW_PRIVATE_URLS defaults to DEBUG, off under pytest).
Tests allow them, as the embedded mode does; the tests of the production rules turn the setting
off themselves (tests/optout/test_crm_ssrf.py)."""

import pytest


@pytest.fixture(autouse=True)
def _crm_private_urls_allowed(settings):
    settings.CRM_ALLOW_PRIVATE_URLS = True
