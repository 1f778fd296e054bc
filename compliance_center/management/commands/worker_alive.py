"""worker_alive HOSTNAME: exit 0 when that Celery worker wrote a consuming heartbeat within
three heartbeats, 1 otherwise (the worker containers' health check in docker-compose.yml)."""

from django.core.management.base import BaseCommand, CommandError

from compliance_center import heartbeat


class Command(BaseCommand):
    help = "Exit 0 when the named Celery worker is alive and consuming (by its heartbeat)."

    def add_arguments(self, parser):
        parser.add_argument("hostname", help="the worker's node name, e.g. celery@web-1")

    def handle(self, *args, **opts):
        alive = {w.hostname for w in heartbeat.alive()}
        if opts["hostname"] not in alive:
            raise CommandError(f"{opts['hostname']} has not consumed recently")
        self.stdout.write(f"{opts['hostname']} is consuming")
