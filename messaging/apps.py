from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = "Messaging"

    def ready(self) -> None:
        # Registers the tasks by name for compliance_center.dispatch in every process.
        from . import tasks  # noqa: F401
