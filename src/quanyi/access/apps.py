from django.apps import AppConfig

from quanyi.core.plugins import Plugin


class AccessConfig(AppConfig):
    name = "quanyi.access"
    label = "access"
    verbose_name = "access"
    plugin = Plugin(
        router="quanyi.access.api:router",
        cli="quanyi.access.cli:register",
        urls="quanyi.access.urls",
        permissions="quanyi.access.permissions:PERMISSIONS",
        labels="quanyi.access.roles:CODE_SETS",
    )

    def ready(self) -> None:
        # signals: the lockout audit
        from quanyi.access import credentials, signals  # noqa: F401
        from quanyi.audit import checks

        checks.register("access", credentials.check, daily=True)
