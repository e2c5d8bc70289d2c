from django.apps import AppConfig

from quanyi.core.plugins import Plugin, Screen


class WorkflowConfig(AppConfig):
    name = "quanyi.workflow"
    label = "workflow"
    verbose_name = "workflow"
    plugin = Plugin(
        router="quanyi.workflow.api:router",
        cli="quanyi.workflow.cli:register",
        urls="quanyi.workflow.urls",
        screens=(
            Screen("cases", "cases", "case.read", "业务件", "Cases", order=30),
            Screen(
                "modifications",
                "modifications",
                "maintenance.read",
                "维护日志",
                "Modification log",
                order=40,
            ),
        ),
        permissions="quanyi.workflow.permissions:PERMISSIONS",
        labels="quanyi.workflow.labels:LABELS",
    )

    def ready(self) -> None:
        from quanyi.workflow import reveal  # noqa: F401  (registers the audit.reveal case type)
