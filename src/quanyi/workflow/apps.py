from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "quanyi.workflow"
    label = "workflow"
    verbose_name = "workflow"

    def ready(self) -> None:
        from quanyi.registry import cases  # noqa: F401  (registers the registry's case types)
