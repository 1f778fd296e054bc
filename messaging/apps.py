from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = "Messaging"

    def ready(self) -> None:
        # Registers the tasks by name for compliance_center.dispatch in every process, and the
        # answers to workspaces' questions (workspaces.signals).
        from . import receivers, tasks  # noqa: F401
