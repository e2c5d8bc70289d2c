from django.apps import AppConfig

from quanyi.core.plugins import Plugin, Screen


class AccessConfig(AppConfig):
    name = "quanyi.access"
    label = "access"
    verbose_name = "access"
    plugin = Plugin(
        router="quanyi.access.api:router",
        cli="quanyi.access.cli:register",
        urls="quanyi.access.urls",
        screens=(
            Screen("accounts", "users", "account.manage", "账户管理", "Accounts", order=60),
            Screen(
                "account-cases",
                "cases",
                "account.case.read",
                "授权业务件",
                "Account cases",
                order=61,
            ),
        ),
        permissions="quanyi.access.permissions:PERMISSIONS",
    )

    def ready(self) -> None:
        # cases: registers access.grant; signals: the lockout audit
        from quanyi.access import cases, credentials, signals  # noqa: F401
        from quanyi.audit import checks

        checks.register("access", credentials.check, daily=True)
