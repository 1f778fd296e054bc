from django.apps import AppConfig


class OptoutConfig(AppConfig):
    name = "optout"
    verbose_name = "Opt-out and consent"

    def ready(self) -> None:
        # Signal receivers, and the tasks registered by name for compliance_center.dispatch.
        from . import receivers, tasks  # noqa: F401
