from django.apps import AppConfig

from quanyi.core.plugins import Plugin, Screen


class StaffConfig(AppConfig):
    """Staff accounts and their roles, administered by ``access.grant`` cases: a domain over
    ``access`` (the accounts, the policy) and the workflow (the cases), so it sits above both."""

    name = "quanyi.staff"
    label = "staff"
    verbose_name = "staff"
    plugin = Plugin(
        cli="quanyi.staff.cli:register",
        urls="quanyi.staff.urls",
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
    )

    def ready(self) -> None:
        from quanyi.staff import cases  # noqa: F401  (registers access.grant)
