from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "quanyi.access"
    label = "access"
    verbose_name = "access"

    def ready(self) -> None:
        from quanyi.access import credentials, signals  # noqa: F401  (signals: the lockout audit)
        from quanyi.audit import checks

        checks.register("access", credentials.check, daily=True)
