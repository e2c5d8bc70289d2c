from django.apps import AppConfig

from quanyi.core.plugins import Plugin


class RulebookConfig(AppConfig):
    name = "quanyi.rulebook"
    label = "rulebook"
    verbose_name = "rulebook"
    plugin = Plugin(
        cli="quanyi.rulebook.cli:register",
        permissions="quanyi.rulebook.permissions:PERMISSIONS",
        labels="quanyi.rulebook.labels:LABELS",
        init="quanyi.rulebook.services:seed",
    )

    def ready(self) -> None:
        from quanyi.rulebook import cases  # noqa: F401  (registers parameter.change)
