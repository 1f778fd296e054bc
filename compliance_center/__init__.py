"""Compliance Center project package; exposes the Celery app for `celery -A compliance_center`."""

from .celery import app as celery_app

__all__ = ("celery_app",)
