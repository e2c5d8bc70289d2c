from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "quanyi.access"
    label = "access"
    verbose_name = "access"

    def ready(self) -> None:
        from quanyi.access import signals  # noqa: F401  (connects the lockout audit)
