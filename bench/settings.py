"""Settings of the processes the benchmark starts (DJANGO_SETTINGS_MODULE=bench.settings): the
product's settings, with a URLconf that adds the bench's reference view."""

from compliance_center.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
