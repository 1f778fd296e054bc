"""WSGI entry point: `gunicorn compliance_center.wsgi:application`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compliance_center.settings")
application = get_wsgi_application()
