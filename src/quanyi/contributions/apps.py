from django.apps import AppConfig


class ContributionsConfig(AppConfig):
    name = "quanyi.contributions"
    label = "contributions"
    verbose_name = "contributions"

    def ready(self) -> None:
        from quanyi.contributions import cases  # noqa: F401  (registers contribution.declare)
