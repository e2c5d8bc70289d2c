from django.apps import AppConfig


class RulebookConfig(AppConfig):
    name = "quanyi.rulebook"
    label = "rulebook"
    verbose_name = "rulebook"

    def ready(self) -> None:
        from quanyi.rulebook import cases  # noqa: F401  (registers parameter.change)
